import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 9379:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const ANY = Symbol('SemVer ANY')
// hoisted class for cyclic dependency
class Comparator {
  static get ANY () {
    return ANY
  }

  constructor (comp, options) {
    options = parseOptions(options)

    if (comp instanceof Comparator) {
      if (comp.loose === !!options.loose) {
        return comp
      } else {
        comp = comp.value
      }
    }

    comp = comp.trim().split(/\s+/).join(' ')
    debug('comparator', comp, options)
    this.options = options
    this.loose = !!options.loose
    this.parse(comp)

    if (this.semver === ANY) {
      this.value = ''
    } else {
      this.value = this.operator + this.semver.version
    }

    debug('comp', this)
  }

  parse (comp) {
    const r = this.options.loose ? re[t.COMPARATORLOOSE] : re[t.COMPARATOR]
    const m = comp.match(r)

    if (!m) {
      throw new TypeError(`Invalid comparator: ${comp}`)
    }

    this.operator = m[1] !== undefined ? m[1] : ''
    if (this.operator === '=') {
      this.operator = ''
    }

    // if it literally is just '>' or '' then allow anything.
    if (!m[2]) {
      this.semver = ANY
    } else {
      this.semver = new SemVer(m[2], this.options.loose)
    }
  }

  toString () {
    return this.value
  }

  test (version) {
    debug('Comparator.test', version, this.options.loose)

    if (this.semver === ANY || version === ANY) {
      return true
    }

    if (typeof version === 'string') {
      try {
        version = new SemVer(version, this.options)
      } catch (er) {
        return false
      }
    }

    return cmp(version, this.operator, this.semver, this.options)
  }

  intersects (comp, options) {
    if (!(comp instanceof Comparator)) {
      throw new TypeError('a Comparator is required')
    }

    if (this.operator === '') {
      if (this.value === '') {
        return true
      }
      return new Range(comp.value, options).test(this.value)
    } else if (comp.operator === '') {
      if (comp.value === '') {
        return true
      }
      return new Range(this.value, options).test(comp.semver)
    }

    options = parseOptions(options)

    // Special cases where nothing can possibly be lower
    if (options.includePrerelease &&
      (this.value === '<0.0.0-0' || comp.value === '<0.0.0-0')) {
      return false
    }
    if (!options.includePrerelease &&
      (this.value.startsWith('<0.0.0') || comp.value.startsWith('<0.0.0'))) {
      return false
    }

    // Same direction increasing (> or >=)
    if (this.operator.startsWith('>') && comp.operator.startsWith('>')) {
      return true
    }
    // Same direction decreasing (< or <=)
    if (this.operator.startsWith('<') && comp.operator.startsWith('<')) {
      return true
    }
    // same SemVer and both sides are inclusive (<= or >=)
    if (
      (this.semver.version === comp.semver.version) &&
      this.operator.includes('=') && comp.operator.includes('=')) {
      return true
    }
    // opposite directions less than
    if (cmp(this.semver, '<', comp.semver, options) &&
      this.operator.startsWith('>') && comp.operator.startsWith('<')) {
      return true
    }
    // opposite directions greater than
    if (cmp(this.semver, '>', comp.semver, options) &&
      this.operator.startsWith('<') && comp.operator.startsWith('>')) {
      return true
    }
    return false
  }
}

module.exports = Comparator

const parseOptions = __nccwpck_require__(356)
const { safeRe: re, t } = __nccwpck_require__(5471)
const cmp = __nccwpck_require__(8646)
const debug = __nccwpck_require__(1159)
const SemVer = __nccwpck_require__(7163)
const Range = __nccwpck_require__(6782)


/***/ }),

/***/ 6782:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SPACE_CHARACTERS = /\s+/g

// hoisted class for cyclic dependency
class Range {
  constructor (range, options) {
    options = parseOptions(options)

    if (range instanceof Range) {
      if (
        range.loose === !!options.loose &&
        range.includePrerelease === !!options.includePrerelease
      ) {
        return range
      } else {
        return new Range(range.raw, options)
      }
    }

    if (range instanceof Comparator) {
      // just put it in the set and return
      this.raw = range.value
      this.set = [[range]]
      this.formatted = undefined
      return this
    }

    this.options = options
    this.loose = !!options.loose
    this.includePrerelease = !!options.includePrerelease

    // First reduce all whitespace as much as possible so we do not have to rely
    // on potentially slow regexes like \s*. This is then stored and used for
    // future error messages as well.
    this.raw = range.trim().replace(SPACE_CHARACTERS, ' ')

    // First, split on ||
    this.set = this.raw
      .split('||')
      // map the range to a 2d array of comparators
      .map(r => this.parseRange(r.trim()))
      // throw out any comparator lists that are empty
      // this generally means that it was not a valid range, which is allowed
      // in loose mode, but will still throw if the WHOLE range is invalid.
      .filter(c => c.length)

    if (!this.set.length) {
      throw new TypeError(`Invalid SemVer Range: ${this.raw}`)
    }

    // if we have any that are not the null set, throw out null sets.
    if (this.set.length > 1) {
      // keep the first one, in case they're all null sets
      const first = this.set[0]
      this.set = this.set.filter(c => !isNullSet(c[0]))
      if (this.set.length === 0) {
        this.set = [first]
      } else if (this.set.length > 1) {
        // if we have any that are *, then the range is just *
        for (const c of this.set) {
          if (c.length === 1 && isAny(c[0])) {
            this.set = [c]
            break
          }
        }
      }
    }

    this.formatted = undefined
  }

  get range () {
    if (this.formatted === undefined) {
      this.formatted = ''
      for (let i = 0; i < this.set.length; i++) {
        if (i > 0) {
          this.formatted += '||'
        }
        const comps = this.set[i]
        for (let k = 0; k < comps.length; k++) {
          if (k > 0) {
            this.formatted += ' '
          }
          this.formatted += comps[k].toString().trim()
        }
      }
    }
    return this.formatted
  }

  format () {
    return this.range
  }

  toString () {
    return this.range
  }

  parseRange (range) {
    // memoize range parsing for performance.
    // this is a very hot path, and fully deterministic.
    const memoOpts =
      (this.options.includePrerelease && FLAG_INCLUDE_PRERELEASE) |
      (this.options.loose && FLAG_LOOSE)
    const memoKey = memoOpts + ':' + range
    const cached = cache.get(memoKey)
    if (cached) {
      return cached
    }

    const loose = this.options.loose
    // `1.2.3 - 1.2.4` => `>=1.2.3 <=1.2.4`
    const hr = loose ? re[t.HYPHENRANGELOOSE] : re[t.HYPHENRANGE]
    range = range.replace(hr, hyphenReplace(this.options.includePrerelease))
    debug('hyphen replace', range)

    // `> 1.2.3 < 1.2.5` => `>1.2.3 <1.2.5`
    range = range.replace(re[t.COMPARATORTRIM], comparatorTrimReplace)
    debug('comparator trim', range)

    // `~ 1.2.3` => `~1.2.3`
    range = range.replace(re[t.TILDETRIM], tildeTrimReplace)
    debug('tilde trim', range)

    // `^ 1.2.3` => `^1.2.3`
    range = range.replace(re[t.CARETTRIM], caretTrimReplace)
    debug('caret trim', range)

    // At this point, the range is completely trimmed and
    // ready to be split into comparators.

    let rangeList = range
      .split(' ')
      .map(comp => parseComparator(comp, this.options))
      .join(' ')
      .split(/\s+/)
      // >=0.0.0 is equivalent to *
      .map(comp => replaceGTE0(comp, this.options))

    if (loose) {
      // in loose mode, throw out any that are not valid comparators
      rangeList = rangeList.filter(comp => {
        debug('loose invalid filter', comp, this.options)
        return !!comp.match(re[t.COMPARATORLOOSE])
      })
    }
    debug('range list', rangeList)

    // if any comparators are the null set, then replace with JUST null set
    // if more than one comparator, remove any * comparators
    // also, don't include the same comparator more than once
    const rangeMap = new Map()
    const comparators = rangeList.map(comp => new Comparator(comp, this.options))
    for (const comp of comparators) {
      if (isNullSet(comp)) {
        return [comp]
      }
      rangeMap.set(comp.value, comp)
    }
    if (rangeMap.size > 1 && rangeMap.has('')) {
      rangeMap.delete('')
    }

    const result = [...rangeMap.values()]
    cache.set(memoKey, result)
    return result
  }

  intersects (range, options) {
    if (!(range instanceof Range)) {
      throw new TypeError('a Range is required')
    }

    return this.set.some((thisComparators) => {
      return (
        isSatisfiable(thisComparators, options) &&
        range.set.some((rangeComparators) => {
          return (
            isSatisfiable(rangeComparators, options) &&
            thisComparators.every((thisComparator) => {
              return rangeComparators.every((rangeComparator) => {
                return thisComparator.intersects(rangeComparator, options)
              })
            })
          )
        })
      )
    })
  }

  // if ANY of the sets match ALL of its comparators, then pass
  test (version) {
    if (!version) {
      return false
    }

    if (typeof version === 'string') {
      try {
        version = new SemVer(version, this.options)
      } catch (er) {
        return false
      }
    }

    for (let i = 0; i < this.set.length; i++) {
      if (testSet(this.set[i], version, this.options)) {
        return true
      }
    }
    return false
  }
}

module.exports = Range

const LRU = __nccwpck_require__(1383)
const cache = new LRU()

const parseOptions = __nccwpck_require__(356)
const Comparator = __nccwpck_require__(9379)
const debug = __nccwpck_require__(1159)
const SemVer = __nccwpck_require__(7163)
const {
  safeRe: re,
  t,
  comparatorTrimReplace,
  tildeTrimReplace,
  caretTrimReplace,
} = __nccwpck_require__(5471)
const { FLAG_INCLUDE_PRERELEASE, FLAG_LOOSE } = __nccwpck_require__(5101)

const isNullSet = c => c.value === '<0.0.0-0'
const isAny = c => c.value === ''

// take a set of comparators and determine whether there
// exists a version which can satisfy it
const isSatisfiable = (comparators, options) => {
  let result = true
  const remainingComparators = comparators.slice()
  let testComparator = remainingComparators.pop()

  while (result && remainingComparators.length) {
    result = remainingComparators.every((otherComparator) => {
      return testComparator.intersects(otherComparator, options)
    })

    testComparator = remainingComparators.pop()
  }

  return result
}

// comprised of xranges, tildes, stars, and gtlt's at this point.
// already replaced the hyphen ranges
// turn into a set of JUST comparators.
const parseComparator = (comp, options) => {
  comp = comp.replace(re[t.BUILD], '')
  debug('comp', comp, options)
  comp = replaceCarets(comp, options)
  debug('caret', comp)
  comp = replaceTildes(comp, options)
  debug('tildes', comp)
  comp = replaceXRanges(comp, options)
  debug('xrange', comp)
  comp = replaceStars(comp, options)
  debug('stars', comp)
  return comp
}

const isX = id => !id || id.toLowerCase() === 'x' || id === '*'

// ~, ~> --> * (any, kinda silly)
// ~2, ~2.x, ~2.x.x, ~>2, ~>2.x ~>2.x.x --> >=2.0.0 <3.0.0-0
// ~2.0, ~2.0.x, ~>2.0, ~>2.0.x --> >=2.0.0 <2.1.0-0
// ~1.2, ~1.2.x, ~>1.2, ~>1.2.x --> >=1.2.0 <1.3.0-0
// ~1.2.3, ~>1.2.3 --> >=1.2.3 <1.3.0-0
// ~1.2.0, ~>1.2.0 --> >=1.2.0 <1.3.0-0
// ~0.0.1 --> >=0.0.1 <0.1.0-0
const replaceTildes = (comp, options) => {
  return comp
    .trim()
    .split(/\s+/)
    .map((c) => replaceTilde(c, options))
    .join(' ')
}

const replaceTilde = (comp, options) => {
  const r = options.loose ? re[t.TILDELOOSE] : re[t.TILDE]
  return comp.replace(r, (_, M, m, p, pr) => {
    debug('tilde', comp, _, M, m, p, pr)
    let ret

    if (isX(M)) {
      ret = ''
    } else if (isX(m)) {
      ret = `>=${M}.0.0 <${+M + 1}.0.0-0`
    } else if (isX(p)) {
      // ~1.2 == >=1.2.0 <1.3.0-0
      ret = `>=${M}.${m}.0 <${M}.${+m + 1}.0-0`
    } else if (pr) {
      debug('replaceTilde pr', pr)
      ret = `>=${M}.${m}.${p}-${pr
      } <${M}.${+m + 1}.0-0`
    } else {
      // ~1.2.3 == >=1.2.3 <1.3.0-0
      ret = `>=${M}.${m}.${p
      } <${M}.${+m + 1}.0-0`
    }

    debug('tilde return', ret)
    return ret
  })
}

// ^ --> * (any, kinda silly)
// ^2, ^2.x, ^2.x.x --> >=2.0.0 <3.0.0-0
// ^2.0, ^2.0.x --> >=2.0.0 <3.0.0-0
// ^1.2, ^1.2.x --> >=1.2.0 <2.0.0-0
// ^1.2.3 --> >=1.2.3 <2.0.0-0
// ^1.2.0 --> >=1.2.0 <2.0.0-0
// ^0.0.1 --> >=0.0.1 <0.0.2-0
// ^0.1.0 --> >=0.1.0 <0.2.0-0
const replaceCarets = (comp, options) => {
  return comp
    .trim()
    .split(/\s+/)
    .map((c) => replaceCaret(c, options))
    .join(' ')
}

const replaceCaret = (comp, options) => {
  debug('caret', comp, options)
  const r = options.loose ? re[t.CARETLOOSE] : re[t.CARET]
  const z = options.includePrerelease ? '-0' : ''
  return comp.replace(r, (_, M, m, p, pr) => {
    debug('caret', comp, _, M, m, p, pr)
    let ret

    if (isX(M)) {
      ret = ''
    } else if (isX(m)) {
      ret = `>=${M}.0.0${z} <${+M + 1}.0.0-0`
    } else if (isX(p)) {
      if (M === '0') {
        ret = `>=${M}.${m}.0${z} <${M}.${+m + 1}.0-0`
      } else {
        ret = `>=${M}.${m}.0${z} <${+M + 1}.0.0-0`
      }
    } else if (pr) {
      debug('replaceCaret pr', pr)
      if (M === '0') {
        if (m === '0') {
          ret = `>=${M}.${m}.${p}-${pr
          } <${M}.${m}.${+p + 1}-0`
        } else {
          ret = `>=${M}.${m}.${p}-${pr
          } <${M}.${+m + 1}.0-0`
        }
      } else {
        ret = `>=${M}.${m}.${p}-${pr
        } <${+M + 1}.0.0-0`
      }
    } else {
      debug('no pr')
      if (M === '0') {
        if (m === '0') {
          ret = `>=${M}.${m}.${p
          }${z} <${M}.${m}.${+p + 1}-0`
        } else {
          ret = `>=${M}.${m}.${p
          }${z} <${M}.${+m + 1}.0-0`
        }
      } else {
        ret = `>=${M}.${m}.${p
        } <${+M + 1}.0.0-0`
      }
    }

    debug('caret return', ret)
    return ret
  })
}

const replaceXRanges = (comp, options) => {
  debug('replaceXRanges', comp, options)
  return comp
    .split(/\s+/)
    .map((c) => replaceXRange(c, options))
    .join(' ')
}

const replaceXRange = (comp, options) => {
  comp = comp.trim()
  const r = options.loose ? re[t.XRANGELOOSE] : re[t.XRANGE]
  return comp.replace(r, (ret, gtlt, M, m, p, pr) => {
    debug('xRange', comp, ret, gtlt, M, m, p, pr)
    const xM = isX(M)
    const xm = xM || isX(m)
    const xp = xm || isX(p)
    const anyX = xp

    if (gtlt === '=' && anyX) {
      gtlt = ''
    }

    // if we're including prereleases in the match, then we need
    // to fix this to -0, the lowest possible prerelease value
    pr = options.includePrerelease ? '-0' : ''

    if (xM) {
      if (gtlt === '>' || gtlt === '<') {
        // nothing is allowed
        ret = '<0.0.0-0'
      } else {
        // nothing is forbidden
        ret = '*'
      }
    } else if (gtlt && anyX) {
      // we know patch is an x, because we have any x at all.
      // replace X with 0
      if (xm) {
        m = 0
      }
      p = 0

      if (gtlt === '>') {
        // >1 => >=2.0.0
        // >1.2 => >=1.3.0
        gtlt = '>='
        if (xm) {
          M = +M + 1
          m = 0
          p = 0
        } else {
          m = +m + 1
          p = 0
        }
      } else if (gtlt === '<=') {
        // <=0.7.x is actually <0.8.0, since any 0.7.x should
        // pass.  Similarly, <=7.x is actually <8.0.0, etc.
        gtlt = '<'
        if (xm) {
          M = +M + 1
        } else {
          m = +m + 1
        }
      }

      if (gtlt === '<') {
        pr = '-0'
      }

      ret = `${gtlt + M}.${m}.${p}${pr}`
    } else if (xm) {
      ret = `>=${M}.0.0${pr} <${+M + 1}.0.0-0`
    } else if (xp) {
      ret = `>=${M}.${m}.0${pr
      } <${M}.${+m + 1}.0-0`
    }

    debug('xRange return', ret)

    return ret
  })
}

// Because * is AND-ed with everything else in the comparator,
// and '' means "any version", just remove the *s entirely.
const replaceStars = (comp, options) => {
  debug('replaceStars', comp, options)
  // Looseness is ignored here.  star is always as loose as it gets!
  return comp
    .trim()
    .replace(re[t.STAR], '')
}

const replaceGTE0 = (comp, options) => {
  debug('replaceGTE0', comp, options)
  return comp
    .trim()
    .replace(re[options.includePrerelease ? t.GTE0PRE : t.GTE0], '')
}

// This function is passed to string.replace(re[t.HYPHENRANGE])
// M, m, patch, prerelease, build
// 1.2 - 3.4.5 => >=1.2.0 <=3.4.5
// 1.2.3 - 3.4 => >=1.2.0 <3.5.0-0 Any 3.4.x will do
// 1.2 - 3.4 => >=1.2.0 <3.5.0-0
// TODO build?
const hyphenReplace = incPr => ($0,
  from, fM, fm, fp, fpr, fb,
  to, tM, tm, tp, tpr) => {
  if (isX(fM)) {
    from = ''
  } else if (isX(fm)) {
    from = `>=${fM}.0.0${incPr ? '-0' : ''}`
  } else if (isX(fp)) {
    from = `>=${fM}.${fm}.0${incPr ? '-0' : ''}`
  } else if (fpr) {
    from = `>=${from}`
  } else {
    from = `>=${from}${incPr ? '-0' : ''}`
  }

  if (isX(tM)) {
    to = ''
  } else if (isX(tm)) {
    to = `<${+tM + 1}.0.0-0`
  } else if (isX(tp)) {
    to = `<${tM}.${+tm + 1}.0-0`
  } else if (tpr) {
    to = `<=${tM}.${tm}.${tp}-${tpr}`
  } else if (incPr) {
    to = `<${tM}.${tm}.${+tp + 1}-0`
  } else {
    to = `<=${to}`
  }

  return `${from} ${to}`.trim()
}

const testSet = (set, version, options) => {
  for (let i = 0; i < set.length; i++) {
    if (!set[i].test(version)) {
      return false
    }
  }

  if (version.prerelease.length && !options.includePrerelease) {
    // Find the set of versions that are allowed to have prereleases
    // For example, ^1.2.3-pr.1 desugars to >=1.2.3-pr.1 <2.0.0
    // That should allow `1.2.3-pr.2` to pass.
    // However, `1.2.4-alpha.notready` should NOT be allowed,
    // even though it's within the range set by the comparators.
    for (let i = 0; i < set.length; i++) {
      debug(set[i].semver)
      if (set[i].semver === Comparator.ANY) {
        continue
      }

      if (set[i].semver.prerelease.length > 0) {
        const allowed = set[i].semver
        if (allowed.major === version.major &&
            allowed.minor === version.minor &&
            allowed.patch === version.patch) {
          return true
        }
      }
    }

    // Version has a -pre, but it's not one of the ones we like.
    return false
  }

  return true
}


/***/ }),

/***/ 7163:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const debug = __nccwpck_require__(1159)
const { MAX_LENGTH, MAX_SAFE_INTEGER } = __nccwpck_require__(5101)
const { safeRe: re, t } = __nccwpck_require__(5471)

const parseOptions = __nccwpck_require__(356)
const { compareIdentifiers } = __nccwpck_require__(3348)
class SemVer {
  constructor (version, options) {
    options = parseOptions(options)

    if (version instanceof SemVer) {
      if (version.loose === !!options.loose &&
        version.includePrerelease === !!options.includePrerelease) {
        return version
      } else {
        version = version.version
      }
    } else if (typeof version !== 'string') {
      throw new TypeError(`Invalid version. Must be a string. Got type "${typeof version}".`)
    }

    if (version.length > MAX_LENGTH) {
      throw new TypeError(
        `version is longer than ${MAX_LENGTH} characters`
      )
    }

    debug('SemVer', version, options)
    this.options = options
    this.loose = !!options.loose
    // this isn't actually relevant for versions, but keep it so that we
    // don't run into trouble passing this.options around.
    this.includePrerelease = !!options.includePrerelease

    const m = version.trim().match(options.loose ? re[t.LOOSE] : re[t.FULL])

    if (!m) {
      throw new TypeError(`Invalid Version: ${version}`)
    }

    this.raw = version

    // these are actually numbers
    this.major = +m[1]
    this.minor = +m[2]
    this.patch = +m[3]

    if (this.major > MAX_SAFE_INTEGER || this.major < 0) {
      throw new TypeError('Invalid major version')
    }

    if (this.minor > MAX_SAFE_INTEGER || this.minor < 0) {
      throw new TypeError('Invalid minor version')
    }

    if (this.patch > MAX_SAFE_INTEGER || this.patch < 0) {
      throw new TypeError('Invalid patch version')
    }

    // numberify any prerelease numeric ids
    if (!m[4]) {
      this.prerelease = []
    } else {
      this.prerelease = m[4].split('.').map((id) => {
        if (/^[0-9]+$/.test(id)) {
          const num = +id
          if (num >= 0 && num < MAX_SAFE_INTEGER) {
            return num
          }
        }
        return id
      })
    }

    this.build = m[5] ? m[5].split('.') : []
    this.format()
  }

  format () {
    this.version = `${this.major}.${this.minor}.${this.patch}`
    if (this.prerelease.length) {
      this.version += `-${this.prerelease.join('.')}`
    }
    return this.version
  }

  toString () {
    return this.version
  }

  compare (other) {
    debug('SemVer.compare', this.version, this.options, other)
    if (!(other instanceof SemVer)) {
      if (typeof other === 'string' && other === this.version) {
        return 0
      }
      other = new SemVer(other, this.options)
    }

    if (other.version === this.version) {
      return 0
    }

    return this.compareMain(other) || this.comparePre(other)
  }

  compareMain (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    if (this.major < other.major) {
      return -1
    }
    if (this.major > other.major) {
      return 1
    }
    if (this.minor < other.minor) {
      return -1
    }
    if (this.minor > other.minor) {
      return 1
    }
    if (this.patch < other.patch) {
      return -1
    }
    if (this.patch > other.patch) {
      return 1
    }
    return 0
  }

  comparePre (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    // NOT having a prerelease is > having one
    if (this.prerelease.length && !other.prerelease.length) {
      return -1
    } else if (!this.prerelease.length && other.prerelease.length) {
      return 1
    } else if (!this.prerelease.length && !other.prerelease.length) {
      return 0
    }

    let i = 0
    do {
      const a = this.prerelease[i]
      const b = other.prerelease[i]
      debug('prerelease compare', i, a, b)
      if (a === undefined && b === undefined) {
        return 0
      } else if (b === undefined) {
        return 1
      } else if (a === undefined) {
        return -1
      } else if (a === b) {
        continue
      } else {
        return compareIdentifiers(a, b)
      }
    } while (++i)
  }

  compareBuild (other) {
    if (!(other instanceof SemVer)) {
      other = new SemVer(other, this.options)
    }

    let i = 0
    do {
      const a = this.build[i]
      const b = other.build[i]
      debug('build compare', i, a, b)
      if (a === undefined && b === undefined) {
        return 0
      } else if (b === undefined) {
        return 1
      } else if (a === undefined) {
        return -1
      } else if (a === b) {
        continue
      } else {
        return compareIdentifiers(a, b)
      }
    } while (++i)
  }

  // preminor will bump the version up to the next minor release, and immediately
  // down to pre-release. premajor and prepatch work the same way.
  inc (release, identifier, identifierBase) {
    if (release.startsWith('pre')) {
      if (!identifier && identifierBase === false) {
        throw new Error('invalid increment argument: identifier is empty')
      }
      // Avoid an invalid semver results
      if (identifier) {
        const match = `-${identifier}`.match(this.options.loose ? re[t.PRERELEASELOOSE] : re[t.PRERELEASE])
        if (!match || match[1] !== identifier) {
          throw new Error(`invalid identifier: ${identifier}`)
        }
      }
    }

    switch (release) {
      case 'premajor':
        this.prerelease.length = 0
        this.patch = 0
        this.minor = 0
        this.major++
        this.inc('pre', identifier, identifierBase)
        break
      case 'preminor':
        this.prerelease.length = 0
        this.patch = 0
        this.minor++
        this.inc('pre', identifier, identifierBase)
        break
      case 'prepatch':
        // If this is already a prerelease, it will bump to the next version
        // drop any prereleases that might already exist, since they are not
        // relevant at this point.
        this.prerelease.length = 0
        this.inc('patch', identifier, identifierBase)
        this.inc('pre', identifier, identifierBase)
        break
      // If the input is a non-prerelease version, this acts the same as
      // prepatch.
      case 'prerelease':
        if (this.prerelease.length === 0) {
          this.inc('patch', identifier, identifierBase)
        }
        this.inc('pre', identifier, identifierBase)
        break
      case 'release':
        if (this.prerelease.length === 0) {
          throw new Error(`version ${this.raw} is not a prerelease`)
        }
        this.prerelease.length = 0
        break

      case 'major':
        // If this is a pre-major version, bump up to the same major version.
        // Otherwise increment major.
        // 1.0.0-5 bumps to 1.0.0
        // 1.1.0 bumps to 2.0.0
        if (
          this.minor !== 0 ||
          this.patch !== 0 ||
          this.prerelease.length === 0
        ) {
          this.major++
        }
        this.minor = 0
        this.patch = 0
        this.prerelease = []
        break
      case 'minor':
        // If this is a pre-minor version, bump up to the same minor version.
        // Otherwise increment minor.
        // 1.2.0-5 bumps to 1.2.0
        // 1.2.1 bumps to 1.3.0
        if (this.patch !== 0 || this.prerelease.length === 0) {
          this.minor++
        }
        this.patch = 0
        this.prerelease = []
        break
      case 'patch':
        // If this is not a pre-release version, it will increment the patch.
        // If it is a pre-release it will bump up to the same patch version.
        // 1.2.0-5 patches to 1.2.0
        // 1.2.0 patches to 1.2.1
        if (this.prerelease.length === 0) {
          this.patch++
        }
        this.prerelease = []
        break
      // This probably shouldn't be used publicly.
      // 1.0.0 'pre' would become 1.0.0-0 which is the wrong direction.
      case 'pre': {
        const base = Number(identifierBase) ? 1 : 0

        if (this.prerelease.length === 0) {
          this.prerelease = [base]
        } else {
          let i = this.prerelease.length
          while (--i >= 0) {
            if (typeof this.prerelease[i] === 'number') {
              this.prerelease[i]++
              i = -2
            }
          }
          if (i === -1) {
            // didn't increment anything
            if (identifier === this.prerelease.join('.') && identifierBase === false) {
              throw new Error('invalid increment argument: identifier already exists')
            }
            this.prerelease.push(base)
          }
        }
        if (identifier) {
          // 1.2.0-beta.1 bumps to 1.2.0-beta.2,
          // 1.2.0-beta.fooblz or 1.2.0-beta bumps to 1.2.0-beta.0
          let prerelease = [identifier, base]
          if (identifierBase === false) {
            prerelease = [identifier]
          }
          if (compareIdentifiers(this.prerelease[0], identifier) === 0) {
            if (isNaN(this.prerelease[1])) {
              this.prerelease = prerelease
            }
          } else {
            this.prerelease = prerelease
          }
        }
        break
      }
      default:
        throw new Error(`invalid increment argument: ${release}`)
    }
    this.raw = this.format()
    if (this.build.length) {
      this.raw += `+${this.build.join('.')}`
    }
    return this
  }
}

module.exports = SemVer


/***/ }),

/***/ 1799:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const parse = __nccwpck_require__(6353)
const clean = (version, options) => {
  const s = parse(version.trim().replace(/^[=v]+/, ''), options)
  return s ? s.version : null
}
module.exports = clean


/***/ }),

/***/ 8646:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const eq = __nccwpck_require__(5082)
const neq = __nccwpck_require__(4974)
const gt = __nccwpck_require__(6599)
const gte = __nccwpck_require__(1236)
const lt = __nccwpck_require__(3872)
const lte = __nccwpck_require__(6717)

const cmp = (a, op, b, loose) => {
  switch (op) {
    case '===':
      if (typeof a === 'object') {
        a = a.version
      }
      if (typeof b === 'object') {
        b = b.version
      }
      return a === b

    case '!==':
      if (typeof a === 'object') {
        a = a.version
      }
      if (typeof b === 'object') {
        b = b.version
      }
      return a !== b

    case '':
    case '=':
    case '==':
      return eq(a, b, loose)

    case '!=':
      return neq(a, b, loose)

    case '>':
      return gt(a, b, loose)

    case '>=':
      return gte(a, b, loose)

    case '<':
      return lt(a, b, loose)

    case '<=':
      return lte(a, b, loose)

    default:
      throw new TypeError(`Invalid operator: ${op}`)
  }
}
module.exports = cmp


/***/ }),

/***/ 5385:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const parse = __nccwpck_require__(6353)
const { safeRe: re, t } = __nccwpck_require__(5471)

const coerce = (version, options) => {
  if (version instanceof SemVer) {
    return version
  }

  if (typeof version === 'number') {
    version = String(version)
  }

  if (typeof version !== 'string') {
    return null
  }

  options = options || {}

  let match = null
  if (!options.rtl) {
    match = version.match(options.includePrerelease ? re[t.COERCEFULL] : re[t.COERCE])
  } else {
    // Find the right-most coercible string that does not share
    // a terminus with a more left-ward coercible string.
    // Eg, '1.2.3.4' wants to coerce '2.3.4', not '3.4' or '4'
    // With includePrerelease option set, '1.2.3.4-rc' wants to coerce '2.3.4-rc', not '2.3.4'
    //
    // Walk through the string checking with a /g regexp
    // Manually set the index so as to pick up overlapping matches.
    // Stop when we get a match that ends at the string end, since no
    // coercible string can be more right-ward without the same terminus.
    const coerceRtlRegex = options.includePrerelease ? re[t.COERCERTLFULL] : re[t.COERCERTL]
    let next
    while ((next = coerceRtlRegex.exec(version)) &&
        (!match || match.index + match[0].length !== version.length)
    ) {
      if (!match ||
            next.index + next[0].length !== match.index + match[0].length) {
        match = next
      }
      coerceRtlRegex.lastIndex = next.index + next[1].length + next[2].length
    }
    // leave it in a clean state
    coerceRtlRegex.lastIndex = -1
  }

  if (match === null) {
    return null
  }

  const major = match[2]
  const minor = match[3] || '0'
  const patch = match[4] || '0'
  const prerelease = options.includePrerelease && match[5] ? `-${match[5]}` : ''
  const build = options.includePrerelease && match[6] ? `+${match[6]}` : ''

  return parse(`${major}.${minor}.${patch}${prerelease}${build}`, options)
}
module.exports = coerce


/***/ }),

/***/ 7648:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const compareBuild = (a, b, loose) => {
  const versionA = new SemVer(a, loose)
  const versionB = new SemVer(b, loose)
  return versionA.compare(versionB) || versionA.compareBuild(versionB)
}
module.exports = compareBuild


/***/ }),

/***/ 6874:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const compareLoose = (a, b) => compare(a, b, true)
module.exports = compareLoose


/***/ }),

/***/ 8469:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const compare = (a, b, loose) =>
  new SemVer(a, loose).compare(new SemVer(b, loose))

module.exports = compare


/***/ }),

/***/ 711:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const parse = __nccwpck_require__(6353)

const diff = (version1, version2) => {
  const v1 = parse(version1, null, true)
  const v2 = parse(version2, null, true)
  const comparison = v1.compare(v2)

  if (comparison === 0) {
    return null
  }

  const v1Higher = comparison > 0
  const highVersion = v1Higher ? v1 : v2
  const lowVersion = v1Higher ? v2 : v1
  const highHasPre = !!highVersion.prerelease.length
  const lowHasPre = !!lowVersion.prerelease.length

  if (lowHasPre && !highHasPre) {
    // Going from prerelease -> no prerelease requires some special casing

    // If the low version has only a major, then it will always be a major
    // Some examples:
    // 1.0.0-1 -> 1.0.0
    // 1.0.0-1 -> 1.1.1
    // 1.0.0-1 -> 2.0.0
    if (!lowVersion.patch && !lowVersion.minor) {
      return 'major'
    }

    // If the main part has no difference
    if (lowVersion.compareMain(highVersion) === 0) {
      if (lowVersion.minor && !lowVersion.patch) {
        return 'minor'
      }
      return 'patch'
    }
  }

  // add the `pre` prefix if we are going to a prerelease version
  const prefix = highHasPre ? 'pre' : ''

  if (v1.major !== v2.major) {
    return prefix + 'major'
  }

  if (v1.minor !== v2.minor) {
    return prefix + 'minor'
  }

  if (v1.patch !== v2.patch) {
    return prefix + 'patch'
  }

  // high and low are preleases
  return 'prerelease'
}

module.exports = diff


/***/ }),

/***/ 5082:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const eq = (a, b, loose) => compare(a, b, loose) === 0
module.exports = eq


/***/ }),

/***/ 6599:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const gt = (a, b, loose) => compare(a, b, loose) > 0
module.exports = gt


/***/ }),

/***/ 1236:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const gte = (a, b, loose) => compare(a, b, loose) >= 0
module.exports = gte


/***/ }),

/***/ 2338:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)

const inc = (version, release, options, identifier, identifierBase) => {
  if (typeof (options) === 'string') {
    identifierBase = identifier
    identifier = options
    options = undefined
  }

  try {
    return new SemVer(
      version instanceof SemVer ? version.version : version,
      options
    ).inc(release, identifier, identifierBase).version
  } catch (er) {
    return null
  }
}
module.exports = inc


/***/ }),

/***/ 3872:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const lt = (a, b, loose) => compare(a, b, loose) < 0
module.exports = lt


/***/ }),

/***/ 6717:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const lte = (a, b, loose) => compare(a, b, loose) <= 0
module.exports = lte


/***/ }),

/***/ 8511:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const major = (a, loose) => new SemVer(a, loose).major
module.exports = major


/***/ }),

/***/ 2603:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const minor = (a, loose) => new SemVer(a, loose).minor
module.exports = minor


/***/ }),

/***/ 4974:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const neq = (a, b, loose) => compare(a, b, loose) !== 0
module.exports = neq


/***/ }),

/***/ 6353:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const parse = (version, options, throwErrors = false) => {
  if (version instanceof SemVer) {
    return version
  }
  try {
    return new SemVer(version, options)
  } catch (er) {
    if (!throwErrors) {
      return null
    }
    throw er
  }
}

module.exports = parse


/***/ }),

/***/ 8756:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const patch = (a, loose) => new SemVer(a, loose).patch
module.exports = patch


/***/ }),

/***/ 5714:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const parse = __nccwpck_require__(6353)
const prerelease = (version, options) => {
  const parsed = parse(version, options)
  return (parsed && parsed.prerelease.length) ? parsed.prerelease : null
}
module.exports = prerelease


/***/ }),

/***/ 2173:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compare = __nccwpck_require__(8469)
const rcompare = (a, b, loose) => compare(b, a, loose)
module.exports = rcompare


/***/ }),

/***/ 7192:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compareBuild = __nccwpck_require__(7648)
const rsort = (list, loose) => list.sort((a, b) => compareBuild(b, a, loose))
module.exports = rsort


/***/ }),

/***/ 8011:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Range = __nccwpck_require__(6782)
const satisfies = (version, range, options) => {
  try {
    range = new Range(range, options)
  } catch (er) {
    return false
  }
  return range.test(version)
}
module.exports = satisfies


/***/ }),

/***/ 9872:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const compareBuild = __nccwpck_require__(7648)
const sort = (list, loose) => list.sort((a, b) => compareBuild(a, b, loose))
module.exports = sort


/***/ }),

/***/ 8780:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const parse = __nccwpck_require__(6353)
const valid = (version, options) => {
  const v = parse(version, options)
  return v ? v.version : null
}
module.exports = valid


/***/ }),

/***/ 2088:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



// just pre-load all the stuff that index.js lazily exports
const internalRe = __nccwpck_require__(5471)
const constants = __nccwpck_require__(5101)
const SemVer = __nccwpck_require__(7163)
const identifiers = __nccwpck_require__(3348)
const parse = __nccwpck_require__(6353)
const valid = __nccwpck_require__(8780)
const clean = __nccwpck_require__(1799)
const inc = __nccwpck_require__(2338)
const diff = __nccwpck_require__(711)
const major = __nccwpck_require__(8511)
const minor = __nccwpck_require__(2603)
const patch = __nccwpck_require__(8756)
const prerelease = __nccwpck_require__(5714)
const compare = __nccwpck_require__(8469)
const rcompare = __nccwpck_require__(2173)
const compareLoose = __nccwpck_require__(6874)
const compareBuild = __nccwpck_require__(7648)
const sort = __nccwpck_require__(9872)
const rsort = __nccwpck_require__(7192)
const gt = __nccwpck_require__(6599)
const lt = __nccwpck_require__(3872)
const eq = __nccwpck_require__(5082)
const neq = __nccwpck_require__(4974)
const gte = __nccwpck_require__(1236)
const lte = __nccwpck_require__(6717)
const cmp = __nccwpck_require__(8646)
const coerce = __nccwpck_require__(5385)
const Comparator = __nccwpck_require__(9379)
const Range = __nccwpck_require__(6782)
const satisfies = __nccwpck_require__(8011)
const toComparators = __nccwpck_require__(4750)
const maxSatisfying = __nccwpck_require__(3193)
const minSatisfying = __nccwpck_require__(8595)
const minVersion = __nccwpck_require__(1866)
const validRange = __nccwpck_require__(4737)
const outside = __nccwpck_require__(280)
const gtr = __nccwpck_require__(2276)
const ltr = __nccwpck_require__(5213)
const intersects = __nccwpck_require__(3465)
const simplifyRange = __nccwpck_require__(2028)
const subset = __nccwpck_require__(1489)
module.exports = {
  parse,
  valid,
  clean,
  inc,
  diff,
  major,
  minor,
  patch,
  prerelease,
  compare,
  rcompare,
  compareLoose,
  compareBuild,
  sort,
  rsort,
  gt,
  lt,
  eq,
  neq,
  gte,
  lte,
  cmp,
  coerce,
  Comparator,
  Range,
  satisfies,
  toComparators,
  maxSatisfying,
  minSatisfying,
  minVersion,
  validRange,
  outside,
  gtr,
  ltr,
  intersects,
  simplifyRange,
  subset,
  SemVer,
  re: internalRe.re,
  src: internalRe.src,
  tokens: internalRe.t,
  SEMVER_SPEC_VERSION: constants.SEMVER_SPEC_VERSION,
  RELEASE_TYPES: constants.RELEASE_TYPES,
  compareIdentifiers: identifiers.compareIdentifiers,
  rcompareIdentifiers: identifiers.rcompareIdentifiers,
}


/***/ }),

/***/ 5101:
/***/ ((module) => {



// Note: this is the semver.org version of the spec that it implements
// Not necessarily the package version of this code.
const SEMVER_SPEC_VERSION = '2.0.0'

const MAX_LENGTH = 256
const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER ||
/* istanbul ignore next */ 9007199254740991

// Max safe segment length for coercion.
const MAX_SAFE_COMPONENT_LENGTH = 16

// Max safe length for a build identifier. The max length minus 6 characters for
// the shortest version with a build 0.0.0+BUILD.
const MAX_SAFE_BUILD_LENGTH = MAX_LENGTH - 6

const RELEASE_TYPES = [
  'major',
  'premajor',
  'minor',
  'preminor',
  'patch',
  'prepatch',
  'prerelease',
]

module.exports = {
  MAX_LENGTH,
  MAX_SAFE_COMPONENT_LENGTH,
  MAX_SAFE_BUILD_LENGTH,
  MAX_SAFE_INTEGER,
  RELEASE_TYPES,
  SEMVER_SPEC_VERSION,
  FLAG_INCLUDE_PRERELEASE: 0b001,
  FLAG_LOOSE: 0b010,
}


/***/ }),

/***/ 1159:
/***/ ((module) => {



const debug = (
  typeof process === 'object' &&
  process.env &&
  process.env.NODE_DEBUG &&
  /\bsemver\b/i.test(process.env.NODE_DEBUG)
) ? (...args) => console.error('SEMVER', ...args)
  : () => {}

module.exports = debug


/***/ }),

/***/ 3348:
/***/ ((module) => {



const numeric = /^[0-9]+$/
const compareIdentifiers = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b ? 0 : a < b ? -1 : 1
  }

  const anum = numeric.test(a)
  const bnum = numeric.test(b)

  if (anum && bnum) {
    a = +a
    b = +b
  }

  return a === b ? 0
    : (anum && !bnum) ? -1
    : (bnum && !anum) ? 1
    : a < b ? -1
    : 1
}

const rcompareIdentifiers = (a, b) => compareIdentifiers(b, a)

module.exports = {
  compareIdentifiers,
  rcompareIdentifiers,
}


/***/ }),

/***/ 1383:
/***/ ((module) => {



class LRUCache {
  constructor () {
    this.max = 1000
    this.map = new Map()
  }

  get (key) {
    const value = this.map.get(key)
    if (value === undefined) {
      return undefined
    } else {
      // Remove the key from the map and add it to the end
      this.map.delete(key)
      this.map.set(key, value)
      return value
    }
  }

  delete (key) {
    return this.map.delete(key)
  }

  set (key, value) {
    const deleted = this.delete(key)

    if (!deleted && value !== undefined) {
      // If cache is full, delete the least recently used item
      if (this.map.size >= this.max) {
        const firstKey = this.map.keys().next().value
        this.delete(firstKey)
      }

      this.map.set(key, value)
    }

    return this
  }
}

module.exports = LRUCache


/***/ }),

/***/ 356:
/***/ ((module) => {



// parse out just the options we care about
const looseOption = Object.freeze({ loose: true })
const emptyOpts = Object.freeze({ })
const parseOptions = options => {
  if (!options) {
    return emptyOpts
  }

  if (typeof options !== 'object') {
    return looseOption
  }

  return options
}
module.exports = parseOptions


/***/ }),

/***/ 5471:
/***/ ((module, exports, __nccwpck_require__) => {



const {
  MAX_SAFE_COMPONENT_LENGTH,
  MAX_SAFE_BUILD_LENGTH,
  MAX_LENGTH,
} = __nccwpck_require__(5101)
const debug = __nccwpck_require__(1159)
exports = module.exports = {}

// The actual regexps go on exports.re
const re = exports.re = []
const safeRe = exports.safeRe = []
const src = exports.src = []
const safeSrc = exports.safeSrc = []
const t = exports.t = {}
let R = 0

const LETTERDASHNUMBER = '[a-zA-Z0-9-]'

// Replace some greedy regex tokens to prevent regex dos issues. These regex are
// used internally via the safeRe object since all inputs in this library get
// normalized first to trim and collapse all extra whitespace. The original
// regexes are exported for userland consumption and lower level usage. A
// future breaking change could export the safer regex only with a note that
// all input should have extra whitespace removed.
const safeRegexReplacements = [
  ['\\s', 1],
  ['\\d', MAX_LENGTH],
  [LETTERDASHNUMBER, MAX_SAFE_BUILD_LENGTH],
]

const makeSafeRegex = (value) => {
  for (const [token, max] of safeRegexReplacements) {
    value = value
      .split(`${token}*`).join(`${token}{0,${max}}`)
      .split(`${token}+`).join(`${token}{1,${max}}`)
  }
  return value
}

const createToken = (name, value, isGlobal) => {
  const safe = makeSafeRegex(value)
  const index = R++
  debug(name, index, value)
  t[name] = index
  src[index] = value
  safeSrc[index] = safe
  re[index] = new RegExp(value, isGlobal ? 'g' : undefined)
  safeRe[index] = new RegExp(safe, isGlobal ? 'g' : undefined)
}

// The following Regular Expressions can be used for tokenizing,
// validating, and parsing SemVer version strings.

// ## Numeric Identifier
// A single `0`, or a non-zero digit followed by zero or more digits.

createToken('NUMERICIDENTIFIER', '0|[1-9]\\d*')
createToken('NUMERICIDENTIFIERLOOSE', '\\d+')

// ## Non-numeric Identifier
// Zero or more digits, followed by a letter or hyphen, and then zero or
// more letters, digits, or hyphens.

createToken('NONNUMERICIDENTIFIER', `\\d*[a-zA-Z-]${LETTERDASHNUMBER}*`)

// ## Main Version
// Three dot-separated numeric identifiers.

createToken('MAINVERSION', `(${src[t.NUMERICIDENTIFIER]})\\.` +
                   `(${src[t.NUMERICIDENTIFIER]})\\.` +
                   `(${src[t.NUMERICIDENTIFIER]})`)

createToken('MAINVERSIONLOOSE', `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
                        `(${src[t.NUMERICIDENTIFIERLOOSE]})\\.` +
                        `(${src[t.NUMERICIDENTIFIERLOOSE]})`)

// ## Pre-release Version Identifier
// A numeric identifier, or a non-numeric identifier.
// Non-numberic identifiers include numberic identifiers but can be longer.
// Therefore non-numberic identifiers must go first.

createToken('PRERELEASEIDENTIFIER', `(?:${src[t.NONNUMERICIDENTIFIER]
}|${src[t.NUMERICIDENTIFIER]})`)

createToken('PRERELEASEIDENTIFIERLOOSE', `(?:${src[t.NONNUMERICIDENTIFIER]
}|${src[t.NUMERICIDENTIFIERLOOSE]})`)

// ## Pre-release Version
// Hyphen, followed by one or more dot-separated pre-release version
// identifiers.

createToken('PRERELEASE', `(?:-(${src[t.PRERELEASEIDENTIFIER]
}(?:\\.${src[t.PRERELEASEIDENTIFIER]})*))`)

createToken('PRERELEASELOOSE', `(?:-?(${src[t.PRERELEASEIDENTIFIERLOOSE]
}(?:\\.${src[t.PRERELEASEIDENTIFIERLOOSE]})*))`)

// ## Build Metadata Identifier
// Any combination of digits, letters, or hyphens.

createToken('BUILDIDENTIFIER', `${LETTERDASHNUMBER}+`)

// ## Build Metadata
// Plus sign, followed by one or more period-separated build metadata
// identifiers.

createToken('BUILD', `(?:\\+(${src[t.BUILDIDENTIFIER]
}(?:\\.${src[t.BUILDIDENTIFIER]})*))`)

// ## Full Version String
// A main version, followed optionally by a pre-release version and
// build metadata.

// Note that the only major, minor, patch, and pre-release sections of
// the version string are capturing groups.  The build metadata is not a
// capturing group, because it should not ever be used in version
// comparison.

createToken('FULLPLAIN', `v?${src[t.MAINVERSION]
}${src[t.PRERELEASE]}?${
  src[t.BUILD]}?`)

createToken('FULL', `^${src[t.FULLPLAIN]}$`)

// like full, but allows v1.2.3 and =1.2.3, which people do sometimes.
// also, 1.0.0alpha1 (prerelease without the hyphen) which is pretty
// common in the npm registry.
createToken('LOOSEPLAIN', `[v=\\s]*${src[t.MAINVERSIONLOOSE]
}${src[t.PRERELEASELOOSE]}?${
  src[t.BUILD]}?`)

createToken('LOOSE', `^${src[t.LOOSEPLAIN]}$`)

createToken('GTLT', '((?:<|>)?=?)')

// Something like "2.*" or "1.2.x".
// Note that "x.x" is a valid xRange identifer, meaning "any version"
// Only the first item is strictly required.
createToken('XRANGEIDENTIFIERLOOSE', `${src[t.NUMERICIDENTIFIERLOOSE]}|x|X|\\*`)
createToken('XRANGEIDENTIFIER', `${src[t.NUMERICIDENTIFIER]}|x|X|\\*`)

createToken('XRANGEPLAIN', `[v=\\s]*(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:\\.(${src[t.XRANGEIDENTIFIER]})` +
                   `(?:${src[t.PRERELEASE]})?${
                     src[t.BUILD]}?` +
                   `)?)?`)

createToken('XRANGEPLAINLOOSE', `[v=\\s]*(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:\\.(${src[t.XRANGEIDENTIFIERLOOSE]})` +
                        `(?:${src[t.PRERELEASELOOSE]})?${
                          src[t.BUILD]}?` +
                        `)?)?`)

createToken('XRANGE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAIN]}$`)
createToken('XRANGELOOSE', `^${src[t.GTLT]}\\s*${src[t.XRANGEPLAINLOOSE]}$`)

// Coercion.
// Extract anything that could conceivably be a part of a valid semver
createToken('COERCEPLAIN', `${'(^|[^\\d])' +
              '(\\d{1,'}${MAX_SAFE_COMPONENT_LENGTH}})` +
              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?` +
              `(?:\\.(\\d{1,${MAX_SAFE_COMPONENT_LENGTH}}))?`)
createToken('COERCE', `${src[t.COERCEPLAIN]}(?:$|[^\\d])`)
createToken('COERCEFULL', src[t.COERCEPLAIN] +
              `(?:${src[t.PRERELEASE]})?` +
              `(?:${src[t.BUILD]})?` +
              `(?:$|[^\\d])`)
createToken('COERCERTL', src[t.COERCE], true)
createToken('COERCERTLFULL', src[t.COERCEFULL], true)

// Tilde ranges.
// Meaning is "reasonably at or greater than"
createToken('LONETILDE', '(?:~>?)')

createToken('TILDETRIM', `(\\s*)${src[t.LONETILDE]}\\s+`, true)
exports.tildeTrimReplace = '$1~'

createToken('TILDE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAIN]}$`)
createToken('TILDELOOSE', `^${src[t.LONETILDE]}${src[t.XRANGEPLAINLOOSE]}$`)

// Caret ranges.
// Meaning is "at least and backwards compatible with"
createToken('LONECARET', '(?:\\^)')

createToken('CARETTRIM', `(\\s*)${src[t.LONECARET]}\\s+`, true)
exports.caretTrimReplace = '$1^'

createToken('CARET', `^${src[t.LONECARET]}${src[t.XRANGEPLAIN]}$`)
createToken('CARETLOOSE', `^${src[t.LONECARET]}${src[t.XRANGEPLAINLOOSE]}$`)

// A simple gt/lt/eq thing, or just "" to indicate "any version"
createToken('COMPARATORLOOSE', `^${src[t.GTLT]}\\s*(${src[t.LOOSEPLAIN]})$|^$`)
createToken('COMPARATOR', `^${src[t.GTLT]}\\s*(${src[t.FULLPLAIN]})$|^$`)

// An expression to strip any whitespace between the gtlt and the thing
// it modifies, so that `> 1.2.3` ==> `>1.2.3`
createToken('COMPARATORTRIM', `(\\s*)${src[t.GTLT]
}\\s*(${src[t.LOOSEPLAIN]}|${src[t.XRANGEPLAIN]})`, true)
exports.comparatorTrimReplace = '$1$2$3'

// Something like `1.2.3 - 1.2.4`
// Note that these all use the loose form, because they'll be
// checked against either the strict or loose comparator form
// later.
createToken('HYPHENRANGE', `^\\s*(${src[t.XRANGEPLAIN]})` +
                   `\\s+-\\s+` +
                   `(${src[t.XRANGEPLAIN]})` +
                   `\\s*$`)

createToken('HYPHENRANGELOOSE', `^\\s*(${src[t.XRANGEPLAINLOOSE]})` +
                        `\\s+-\\s+` +
                        `(${src[t.XRANGEPLAINLOOSE]})` +
                        `\\s*$`)

// Star ranges basically just allow anything at all.
createToken('STAR', '(<|>)?=?\\s*\\*')
// >=0.0.0 is like a star
createToken('GTE0', '^\\s*>=\\s*0\\.0\\.0\\s*$')
createToken('GTE0PRE', '^\\s*>=\\s*0\\.0\\.0-0\\s*$')


/***/ }),

/***/ 2276:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



// Determine if version is greater than all the versions possible in the range.
const outside = __nccwpck_require__(280)
const gtr = (version, range, options) => outside(version, range, '>', options)
module.exports = gtr


/***/ }),

/***/ 3465:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Range = __nccwpck_require__(6782)
const intersects = (r1, r2, options) => {
  r1 = new Range(r1, options)
  r2 = new Range(r2, options)
  return r1.intersects(r2, options)
}
module.exports = intersects


/***/ }),

/***/ 5213:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const outside = __nccwpck_require__(280)
// Determine if version is less than all the versions possible in the range
const ltr = (version, range, options) => outside(version, range, '<', options)
module.exports = ltr


/***/ }),

/***/ 3193:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const Range = __nccwpck_require__(6782)

const maxSatisfying = (versions, range, options) => {
  let max = null
  let maxSV = null
  let rangeObj = null
  try {
    rangeObj = new Range(range, options)
  } catch (er) {
    return null
  }
  versions.forEach((v) => {
    if (rangeObj.test(v)) {
      // satisfies(v, range, options)
      if (!max || maxSV.compare(v) === -1) {
        // compare(max, v, true)
        max = v
        maxSV = new SemVer(max, options)
      }
    }
  })
  return max
}
module.exports = maxSatisfying


/***/ }),

/***/ 8595:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const Range = __nccwpck_require__(6782)
const minSatisfying = (versions, range, options) => {
  let min = null
  let minSV = null
  let rangeObj = null
  try {
    rangeObj = new Range(range, options)
  } catch (er) {
    return null
  }
  versions.forEach((v) => {
    if (rangeObj.test(v)) {
      // satisfies(v, range, options)
      if (!min || minSV.compare(v) === 1) {
        // compare(min, v, true)
        min = v
        minSV = new SemVer(min, options)
      }
    }
  })
  return min
}
module.exports = minSatisfying


/***/ }),

/***/ 1866:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const Range = __nccwpck_require__(6782)
const gt = __nccwpck_require__(6599)

const minVersion = (range, loose) => {
  range = new Range(range, loose)

  let minver = new SemVer('0.0.0')
  if (range.test(minver)) {
    return minver
  }

  minver = new SemVer('0.0.0-0')
  if (range.test(minver)) {
    return minver
  }

  minver = null
  for (let i = 0; i < range.set.length; ++i) {
    const comparators = range.set[i]

    let setMin = null
    comparators.forEach((comparator) => {
      // Clone to avoid manipulating the comparator's semver object.
      const compver = new SemVer(comparator.semver.version)
      switch (comparator.operator) {
        case '>':
          if (compver.prerelease.length === 0) {
            compver.patch++
          } else {
            compver.prerelease.push(0)
          }
          compver.raw = compver.format()
          /* fallthrough */
        case '':
        case '>=':
          if (!setMin || gt(compver, setMin)) {
            setMin = compver
          }
          break
        case '<':
        case '<=':
          /* Ignore maximum versions */
          break
        /* istanbul ignore next */
        default:
          throw new Error(`Unexpected operation: ${comparator.operator}`)
      }
    })
    if (setMin && (!minver || gt(minver, setMin))) {
      minver = setMin
    }
  }

  if (minver && range.test(minver)) {
    return minver
  }

  return null
}
module.exports = minVersion


/***/ }),

/***/ 280:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const SemVer = __nccwpck_require__(7163)
const Comparator = __nccwpck_require__(9379)
const { ANY } = Comparator
const Range = __nccwpck_require__(6782)
const satisfies = __nccwpck_require__(8011)
const gt = __nccwpck_require__(6599)
const lt = __nccwpck_require__(3872)
const lte = __nccwpck_require__(6717)
const gte = __nccwpck_require__(1236)

const outside = (version, range, hilo, options) => {
  version = new SemVer(version, options)
  range = new Range(range, options)

  let gtfn, ltefn, ltfn, comp, ecomp
  switch (hilo) {
    case '>':
      gtfn = gt
      ltefn = lte
      ltfn = lt
      comp = '>'
      ecomp = '>='
      break
    case '<':
      gtfn = lt
      ltefn = gte
      ltfn = gt
      comp = '<'
      ecomp = '<='
      break
    default:
      throw new TypeError('Must provide a hilo val of "<" or ">"')
  }

  // If it satisfies the range it is not outside
  if (satisfies(version, range, options)) {
    return false
  }

  // From now on, variable terms are as if we're in "gtr" mode.
  // but note that everything is flipped for the "ltr" function.

  for (let i = 0; i < range.set.length; ++i) {
    const comparators = range.set[i]

    let high = null
    let low = null

    comparators.forEach((comparator) => {
      if (comparator.semver === ANY) {
        comparator = new Comparator('>=0.0.0')
      }
      high = high || comparator
      low = low || comparator
      if (gtfn(comparator.semver, high.semver, options)) {
        high = comparator
      } else if (ltfn(comparator.semver, low.semver, options)) {
        low = comparator
      }
    })

    // If the edge version comparator has a operator then our version
    // isn't outside it
    if (high.operator === comp || high.operator === ecomp) {
      return false
    }

    // If the lowest version comparator has an operator and our version
    // is less than it then it isn't higher than the range
    if ((!low.operator || low.operator === comp) &&
        ltefn(version, low.semver)) {
      return false
    } else if (low.operator === ecomp && ltfn(version, low.semver)) {
      return false
    }
  }
  return true
}

module.exports = outside


/***/ }),

/***/ 2028:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



// given a set of versions and a range, create a "simplified" range
// that includes the same versions that the original range does
// If the original range is shorter than the simplified one, return that.
const satisfies = __nccwpck_require__(8011)
const compare = __nccwpck_require__(8469)
module.exports = (versions, range, options) => {
  const set = []
  let first = null
  let prev = null
  const v = versions.sort((a, b) => compare(a, b, options))
  for (const version of v) {
    const included = satisfies(version, range, options)
    if (included) {
      prev = version
      if (!first) {
        first = version
      }
    } else {
      if (prev) {
        set.push([first, prev])
      }
      prev = null
      first = null
    }
  }
  if (first) {
    set.push([first, null])
  }

  const ranges = []
  for (const [min, max] of set) {
    if (min === max) {
      ranges.push(min)
    } else if (!max && min === v[0]) {
      ranges.push('*')
    } else if (!max) {
      ranges.push(`>=${min}`)
    } else if (min === v[0]) {
      ranges.push(`<=${max}`)
    } else {
      ranges.push(`${min} - ${max}`)
    }
  }
  const simplified = ranges.join(' || ')
  const original = typeof range.raw === 'string' ? range.raw : String(range)
  return simplified.length < original.length ? simplified : range
}


/***/ }),

/***/ 1489:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Range = __nccwpck_require__(6782)
const Comparator = __nccwpck_require__(9379)
const { ANY } = Comparator
const satisfies = __nccwpck_require__(8011)
const compare = __nccwpck_require__(8469)

// Complex range `r1 || r2 || ...` is a subset of `R1 || R2 || ...` iff:
// - Every simple range `r1, r2, ...` is a null set, OR
// - Every simple range `r1, r2, ...` which is not a null set is a subset of
//   some `R1, R2, ...`
//
// Simple range `c1 c2 ...` is a subset of simple range `C1 C2 ...` iff:
// - If c is only the ANY comparator
//   - If C is only the ANY comparator, return true
//   - Else if in prerelease mode, return false
//   - else replace c with `[>=0.0.0]`
// - If C is only the ANY comparator
//   - if in prerelease mode, return true
//   - else replace C with `[>=0.0.0]`
// - Let EQ be the set of = comparators in c
// - If EQ is more than one, return true (null set)
// - Let GT be the highest > or >= comparator in c
// - Let LT be the lowest < or <= comparator in c
// - If GT and LT, and GT.semver > LT.semver, return true (null set)
// - If any C is a = range, and GT or LT are set, return false
// - If EQ
//   - If GT, and EQ does not satisfy GT, return true (null set)
//   - If LT, and EQ does not satisfy LT, return true (null set)
//   - If EQ satisfies every C, return true
//   - Else return false
// - If GT
//   - If GT.semver is lower than any > or >= comp in C, return false
//   - If GT is >=, and GT.semver does not satisfy every C, return false
//   - If GT.semver has a prerelease, and not in prerelease mode
//     - If no C has a prerelease and the GT.semver tuple, return false
// - If LT
//   - If LT.semver is greater than any < or <= comp in C, return false
//   - If LT is <=, and LT.semver does not satisfy every C, return false
//   - If GT.semver has a prerelease, and not in prerelease mode
//     - If no C has a prerelease and the LT.semver tuple, return false
// - Else return true

const subset = (sub, dom, options = {}) => {
  if (sub === dom) {
    return true
  }

  sub = new Range(sub, options)
  dom = new Range(dom, options)
  let sawNonNull = false

  OUTER: for (const simpleSub of sub.set) {
    for (const simpleDom of dom.set) {
      const isSub = simpleSubset(simpleSub, simpleDom, options)
      sawNonNull = sawNonNull || isSub !== null
      if (isSub) {
        continue OUTER
      }
    }
    // the null set is a subset of everything, but null simple ranges in
    // a complex range should be ignored.  so if we saw a non-null range,
    // then we know this isn't a subset, but if EVERY simple range was null,
    // then it is a subset.
    if (sawNonNull) {
      return false
    }
  }
  return true
}

const minimumVersionWithPreRelease = [new Comparator('>=0.0.0-0')]
const minimumVersion = [new Comparator('>=0.0.0')]

const simpleSubset = (sub, dom, options) => {
  if (sub === dom) {
    return true
  }

  if (sub.length === 1 && sub[0].semver === ANY) {
    if (dom.length === 1 && dom[0].semver === ANY) {
      return true
    } else if (options.includePrerelease) {
      sub = minimumVersionWithPreRelease
    } else {
      sub = minimumVersion
    }
  }

  if (dom.length === 1 && dom[0].semver === ANY) {
    if (options.includePrerelease) {
      return true
    } else {
      dom = minimumVersion
    }
  }

  const eqSet = new Set()
  let gt, lt
  for (const c of sub) {
    if (c.operator === '>' || c.operator === '>=') {
      gt = higherGT(gt, c, options)
    } else if (c.operator === '<' || c.operator === '<=') {
      lt = lowerLT(lt, c, options)
    } else {
      eqSet.add(c.semver)
    }
  }

  if (eqSet.size > 1) {
    return null
  }

  let gtltComp
  if (gt && lt) {
    gtltComp = compare(gt.semver, lt.semver, options)
    if (gtltComp > 0) {
      return null
    } else if (gtltComp === 0 && (gt.operator !== '>=' || lt.operator !== '<=')) {
      return null
    }
  }

  // will iterate one or zero times
  for (const eq of eqSet) {
    if (gt && !satisfies(eq, String(gt), options)) {
      return null
    }

    if (lt && !satisfies(eq, String(lt), options)) {
      return null
    }

    for (const c of dom) {
      if (!satisfies(eq, String(c), options)) {
        return false
      }
    }

    return true
  }

  let higher, lower
  let hasDomLT, hasDomGT
  // if the subset has a prerelease, we need a comparator in the superset
  // with the same tuple and a prerelease, or it's not a subset
  let needDomLTPre = lt &&
    !options.includePrerelease &&
    lt.semver.prerelease.length ? lt.semver : false
  let needDomGTPre = gt &&
    !options.includePrerelease &&
    gt.semver.prerelease.length ? gt.semver : false
  // exception: <1.2.3-0 is the same as <1.2.3
  if (needDomLTPre && needDomLTPre.prerelease.length === 1 &&
      lt.operator === '<' && needDomLTPre.prerelease[0] === 0) {
    needDomLTPre = false
  }

  for (const c of dom) {
    hasDomGT = hasDomGT || c.operator === '>' || c.operator === '>='
    hasDomLT = hasDomLT || c.operator === '<' || c.operator === '<='
    if (gt) {
      if (needDomGTPre) {
        if (c.semver.prerelease && c.semver.prerelease.length &&
            c.semver.major === needDomGTPre.major &&
            c.semver.minor === needDomGTPre.minor &&
            c.semver.patch === needDomGTPre.patch) {
          needDomGTPre = false
        }
      }
      if (c.operator === '>' || c.operator === '>=') {
        higher = higherGT(gt, c, options)
        if (higher === c && higher !== gt) {
          return false
        }
      } else if (gt.operator === '>=' && !satisfies(gt.semver, String(c), options)) {
        return false
      }
    }
    if (lt) {
      if (needDomLTPre) {
        if (c.semver.prerelease && c.semver.prerelease.length &&
            c.semver.major === needDomLTPre.major &&
            c.semver.minor === needDomLTPre.minor &&
            c.semver.patch === needDomLTPre.patch) {
          needDomLTPre = false
        }
      }
      if (c.operator === '<' || c.operator === '<=') {
        lower = lowerLT(lt, c, options)
        if (lower === c && lower !== lt) {
          return false
        }
      } else if (lt.operator === '<=' && !satisfies(lt.semver, String(c), options)) {
        return false
      }
    }
    if (!c.operator && (lt || gt) && gtltComp !== 0) {
      return false
    }
  }

  // if there was a < or >, and nothing in the dom, then must be false
  // UNLESS it was limited by another range in the other direction.
  // Eg, >1.0.0 <1.0.1 is still a subset of <2.0.0
  if (gt && hasDomLT && !lt && gtltComp !== 0) {
    return false
  }

  if (lt && hasDomGT && !gt && gtltComp !== 0) {
    return false
  }

  // we needed a prerelease range in a specific tuple, but didn't get one
  // then this isn't a subset.  eg >=1.2.3-pre is not a subset of >=1.0.0,
  // because it includes prereleases in the 1.2.3 tuple
  if (needDomGTPre || needDomLTPre) {
    return false
  }

  return true
}

// >=1.2.3 is lower than >1.2.3
const higherGT = (a, b, options) => {
  if (!a) {
    return b
  }
  const comp = compare(a.semver, b.semver, options)
  return comp > 0 ? a
    : comp < 0 ? b
    : b.operator === '>' && a.operator === '>=' ? b
    : a
}

// <=1.2.3 is higher than <1.2.3
const lowerLT = (a, b, options) => {
  if (!a) {
    return b
  }
  const comp = compare(a.semver, b.semver, options)
  return comp < 0 ? a
    : comp > 0 ? b
    : b.operator === '<' && a.operator === '<=' ? b
    : a
}

module.exports = subset


/***/ }),

/***/ 4750:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Range = __nccwpck_require__(6782)

// Mostly just for testing and legacy API reasons
const toComparators = (range, options) =>
  new Range(range, options).set
    .map(comp => comp.map(c => c.value).join(' ').trim().split(' '))

module.exports = toComparators


/***/ }),

/***/ 4737:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const Range = __nccwpck_require__(6782)
const validRange = (range, options) => {
  try {
    // Return '*' instead of '' so that truthiness works.
    // This will throw if it's invalid anyway
    return new Range(range, options).range || '*'
  } catch (er) {
    return null
  }
}
module.exports = validRange


/***/ }),

/***/ 770:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(218);


/***/ }),

/***/ 218:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


var net = __nccwpck_require__(9278);
var tls = __nccwpck_require__(4756);
var http = __nccwpck_require__(8611);
var https = __nccwpck_require__(5692);
var events = __nccwpck_require__(4434);
var assert = __nccwpck_require__(2613);
var util = __nccwpck_require__(9023);


exports.httpOverHttp = httpOverHttp;
exports.httpsOverHttp = httpsOverHttp;
exports.httpOverHttps = httpOverHttps;
exports.httpsOverHttps = httpsOverHttps;


function httpOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  return agent;
}

function httpsOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}

function httpOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  return agent;
}

function httpsOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}


function TunnelingAgent(options) {
  var self = this;
  self.options = options || {};
  self.proxyOptions = self.options.proxy || {};
  self.maxSockets = self.options.maxSockets || http.Agent.defaultMaxSockets;
  self.requests = [];
  self.sockets = [];

  self.on('free', function onFree(socket, host, port, localAddress) {
    var options = toOptions(host, port, localAddress);
    for (var i = 0, len = self.requests.length; i < len; ++i) {
      var pending = self.requests[i];
      if (pending.host === options.host && pending.port === options.port) {
        // Detect the request to connect same origin server,
        // reuse the connection.
        self.requests.splice(i, 1);
        pending.request.onSocket(socket);
        return;
      }
    }
    socket.destroy();
    self.removeSocket(socket);
  });
}
util.inherits(TunnelingAgent, events.EventEmitter);

TunnelingAgent.prototype.addRequest = function addRequest(req, host, port, localAddress) {
  var self = this;
  var options = mergeOptions({request: req}, self.options, toOptions(host, port, localAddress));

  if (self.sockets.length >= this.maxSockets) {
    // We are over limit so we'll add it to the queue.
    self.requests.push(options);
    return;
  }

  // If we are under maxSockets create a new one.
  self.createSocket(options, function(socket) {
    socket.on('free', onFree);
    socket.on('close', onCloseOrRemove);
    socket.on('agentRemove', onCloseOrRemove);
    req.onSocket(socket);

    function onFree() {
      self.emit('free', socket, options);
    }

    function onCloseOrRemove(err) {
      self.removeSocket(socket);
      socket.removeListener('free', onFree);
      socket.removeListener('close', onCloseOrRemove);
      socket.removeListener('agentRemove', onCloseOrRemove);
    }
  });
};

TunnelingAgent.prototype.createSocket = function createSocket(options, cb) {
  var self = this;
  var placeholder = {};
  self.sockets.push(placeholder);

  var connectOptions = mergeOptions({}, self.proxyOptions, {
    method: 'CONNECT',
    path: options.host + ':' + options.port,
    agent: false,
    headers: {
      host: options.host + ':' + options.port
    }
  });
  if (options.localAddress) {
    connectOptions.localAddress = options.localAddress;
  }
  if (connectOptions.proxyAuth) {
    connectOptions.headers = connectOptions.headers || {};
    connectOptions.headers['Proxy-Authorization'] = 'Basic ' +
        new Buffer(connectOptions.proxyAuth).toString('base64');
  }

  debug('making CONNECT request');
  var connectReq = self.request(connectOptions);
  connectReq.useChunkedEncodingByDefault = false; // for v0.6
  connectReq.once('response', onResponse); // for v0.6
  connectReq.once('upgrade', onUpgrade);   // for v0.6
  connectReq.once('connect', onConnect);   // for v0.7 or later
  connectReq.once('error', onError);
  connectReq.end();

  function onResponse(res) {
    // Very hacky. This is necessary to avoid http-parser leaks.
    res.upgrade = true;
  }

  function onUpgrade(res, socket, head) {
    // Hacky.
    process.nextTick(function() {
      onConnect(res, socket, head);
    });
  }

  function onConnect(res, socket, head) {
    connectReq.removeAllListeners();
    socket.removeAllListeners();

    if (res.statusCode !== 200) {
      debug('tunneling socket could not be established, statusCode=%d',
        res.statusCode);
      socket.destroy();
      var error = new Error('tunneling socket could not be established, ' +
        'statusCode=' + res.statusCode);
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    if (head.length > 0) {
      debug('got illegal response body from proxy');
      socket.destroy();
      var error = new Error('got illegal response body from proxy');
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    debug('tunneling connection has established');
    self.sockets[self.sockets.indexOf(placeholder)] = socket;
    return cb(socket);
  }

  function onError(cause) {
    connectReq.removeAllListeners();

    debug('tunneling socket could not be established, cause=%s\n',
          cause.message, cause.stack);
    var error = new Error('tunneling socket could not be established, ' +
                          'cause=' + cause.message);
    error.code = 'ECONNRESET';
    options.request.emit('error', error);
    self.removeSocket(placeholder);
  }
};

TunnelingAgent.prototype.removeSocket = function removeSocket(socket) {
  var pos = this.sockets.indexOf(socket)
  if (pos === -1) {
    return;
  }
  this.sockets.splice(pos, 1);

  var pending = this.requests.shift();
  if (pending) {
    // If we have pending requests and a socket gets closed a new one
    // needs to be created to take over in the pool for the one that closed.
    this.createSocket(pending, function(socket) {
      pending.request.onSocket(socket);
    });
  }
};

function createSecureSocket(options, cb) {
  var self = this;
  TunnelingAgent.prototype.createSocket.call(self, options, function(socket) {
    var hostHeader = options.request.getHeader('host');
    var tlsOptions = mergeOptions({}, self.options, {
      socket: socket,
      servername: hostHeader ? hostHeader.replace(/:.*$/, '') : options.host
    });

    // 0 is dummy port for v0.6
    var secureSocket = tls.connect(0, tlsOptions);
    self.sockets[self.sockets.indexOf(socket)] = secureSocket;
    cb(secureSocket);
  });
}


function toOptions(host, port, localAddress) {
  if (typeof host === 'string') { // since v0.10
    return {
      host: host,
      port: port,
      localAddress: localAddress
    };
  }
  return host; // for v0.11 or later
}

function mergeOptions(target) {
  for (var i = 1, len = arguments.length; i < len; ++i) {
    var overrides = arguments[i];
    if (typeof overrides === 'object') {
      var keys = Object.keys(overrides);
      for (var j = 0, keyLen = keys.length; j < keyLen; ++j) {
        var k = keys[j];
        if (overrides[k] !== undefined) {
          target[k] = overrides[k];
        }
      }
    }
  }
  return target;
}


var debug;
if (process.env.NODE_DEBUG && /\btunnel\b/.test(process.env.NODE_DEBUG)) {
  debug = function() {
    var args = Array.prototype.slice.call(arguments);
    if (typeof args[0] === 'string') {
      args[0] = 'TUNNEL: ' + args[0];
    } else {
      args.unshift('TUNNEL:');
    }
    console.error.apply(console, args);
  }
} else {
  debug = function() {};
}
__webpack_unused_export__ = debug; // for test


/***/ }),

/***/ 9682:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ runStep)
/* harmony export */ });
/* unused harmony export failUnexpectedly */
/* harmony import */ var _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1751);
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6472);


/**
 * How a bundle runs its step (src/bin/main.ts, post.ts). Two things a bare `await run()` lacks:
 *
 * - The process ends when the step's work is done, with its exit code. @actions/cache's clients
 *   can leave sockets and timers open, and Node would wait for them, holding the job up for minutes
 *   (actions/setup-node#878); actions/setup-python and setup-uv end with process.exit for this.
 * - A rejection nobody awaited, or an exception thrown from a callback, ends the step as one
 *   annotation, as every other failure does, instead of Node's stack trace.
 */
async function runStep(step, run) {
    const fail = (caught) => failUnexpectedly(step, caught);
    process.on('unhandledRejection', fail);
    process.on('uncaughtException', fail);
    await run();
    return process.exit(process.exitCode ?? 0);
}
/** One error annotation for what escaped the step (credentials masked), then exit 1. */
function failUnexpectedly(step, caught) {
    (0,_report_log_js__WEBPACK_IMPORTED_MODULE_1__/* .tell */ .qz)({ severity: 'error', message: `${step} failed unexpectedly: ${(0,_report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(caught)}` });
    return process.exit(1);
}


/***/ }),

/***/ 2116:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _action_entry_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9682);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3400);
// The bundle's entry (dist/main/index.js): runs the main step. src/main.ts only exports run(), so
// that a local runner (@github/local-action) can import it and call run() itself.


await (0,_action_entry_js__WEBPACK_IMPORTED_MODULE_0__/* .runStep */ .e)('venv-guard', _main_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 3400:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./src/report/diagnostic.ts
var diagnostic = __nccwpck_require__(1751);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/cache/scope.ts
/**
 * Whether this run restores and saves caches. GitHub scopes cache entries by ref: a run reads
 * its own ref's entries and the default branch's, and writes its own ref's. Events that start on
 * the default branch for code or people outside the repository would let that code write the
 * entries every branch and pull request restores, so `cache: auto` leaves them alone; so does a
 * release build, which is built from scratch rather than from what other runs wrote.
 */
const CACHE_INPUTS = ['auto', 'true', 'false'];
/**
 * Events that run in the default branch's scope on behalf of someone or something that need not
 * be able to write the repository, and that workflows use to check out or run that code.
 */
const OUTSIDE_CODE_EVENTS = {
    pull_request_target: 'runs for pull requests, forks included',
    workflow_run: 'follows runs that pull requests, forks included, start',
    issue_comment: 'anyone who can comment starts it',
    discussion_comment: 'anyone who can comment starts it'
};
function runEvent(env) {
    return { name: env.GITHUB_EVENT_NAME ?? '', ref: env.GITHUB_REF ?? '' };
}
/** Why `cache: auto` is off for this run, or undefined when it is on. */
function autoOff(event) {
    const outside = OUTSIDE_CODE_EVENTS[event.name];
    if (outside) {
        return `a ${event.name} event (${outside}) writes the default branch's cache, which every branch and pull request restores`;
    }
    if (event.name === 'release')
        return 'a release is built from scratch, not from a cache';
    if (event.ref.startsWith('refs/tags/')) {
        return `a tag (${event.ref}) builds a release, which is built from scratch, not from a cache`;
    }
    return undefined;
}
function cacheScope(input, saveInput, event) {
    if (input === 'false')
        return { restore: false, save: false };
    if (input === 'true')
        return { restore: true, save: saveInput };
    const off = autoOff(event);
    if (off) {
        return {
            restore: false,
            save: false,
            off: `Cache: off (cache: auto): ${off}. Set cache: true to cache here anyway.`
        };
    }
    return { restore: true, save: saveInput };
}

// EXTERNAL MODULE: ./src/python/version-spec.ts
var version_spec = __nccwpck_require__(3948);
// EXTERNAL MODULE: ./node_modules/@actions/glob/lib/glob.js + 17 modules
var glob = __nccwpck_require__(2377);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/pip/names.ts

/** A project's name as pip compares them (PEP 503): case and runs of `-_.` do not matter. */
function normalizeName(name) {
    return name.toLowerCase().replace(/[-_.]+/g, '-');
}
/** The project a requirement or a wheel names (`pip==24.2`, `.../pip-24.2-py3-none-any.whl` -> pip). */
function projectOf(requirementOrWheel) {
    const base = external_node_path_.basename(requirementOrWheel);
    const name = base.endsWith('.whl')
        ? base.split('-')[0]
        : (/^[A-Za-z0-9._-]+/.exec(requirementOrWheel)?.[0] ?? requirementOrWheel);
    return normalizeName(name);
}

;// CONCATENATED MODULE: ./src/pip/pep508.ts
/**
 * PEP 508 dependency specifiers, checked the way pip 25.1+ checks a dependency group's items
 * (its vendored packaging's `_tokenizer.py` and `_parser.py`, ported rule for rule), so that an
 * invalid item is annotated on its line before pip runs; pip itself crashes on one with a
 * traceback. Requirement files keep their own, more lenient reader (requirements.ts): older pips
 * accept legacy forms there.
 */
const VERSION_TAIL = String.raw `(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?`;
const SPECIFIER = new RegExp([
    String.raw `===\s*[^\s;)]*`,
    String.raw `(?:==|!=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|${VERSION_TAIL}(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)?`,
    String.raw `~=\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+${VERSION_TAIL}`,
    String.raw `(?:<=|>=|<|>)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*${VERSION_TAIL}`
].join('|'), 'iy');
const RULES = {
    LEFT_PARENTHESIS: /\(/y,
    RIGHT_PARENTHESIS: /\)/y,
    LEFT_BRACKET: /\[/y,
    RIGHT_BRACKET: /\]/y,
    SEMICOLON: /;/y,
    COMMA: /,/y,
    QUOTED_STRING: /'[^']*'|"[^"]*"/y,
    OP: /===|==|~=|!=|<=|>=|<|>/y,
    BOOLOP: /\b(?:or|and)\b/y,
    IN: /\bin\b/y,
    NOT: /\bnot\b/y,
    VARIABLE: /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
    SPECIFIER,
    AT: /@/y,
    URL: /[^ \t]+/y,
    IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
    VERSION_PREFIX_TRAIL: /\.\*/y,
    VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
    WS: /[ \t]+/y,
    // Python's `$` also matches before a final newline.
    END: /(?=\n?$)/y
};
class SyntaxProblem extends Error {
    column;
    constructor(message, column) {
        super(message);
        this.column = column;
    }
}
/** packaging's context-sensitive tokenizer: each rule is tried only where the grammar allows it. */
class Tokenizer {
    source;
    position = 0;
    next;
    constructor(source) {
        this.source = source;
    }
    check(name, peek = false) {
        const rule = RULES[name];
        rule.lastIndex = this.position;
        const match = rule.exec(this.source);
        if (!match)
            return false;
        if (!peek)
            this.next = match[0];
        return true;
    }
    read() {
        const text = this.next ?? '';
        this.position += text.length;
        this.next = undefined;
        return text;
    }
    consume(name) {
        if (this.check(name))
            this.read();
    }
    expect(name, expected) {
        if (!this.check(name))
            this.fail(`Expected ${expected}`);
        return this.read();
    }
    fail(message, at = this.position) {
        throw new SyntaxProblem(message, at);
    }
    enclosed(open, close, around, inside) {
        const opened = this.check(open) ? this.position : undefined;
        if (opened !== undefined)
            this.read();
        inside();
        if (opened === undefined)
            return;
        if (!this.check(close)) {
            this.fail(`Expected matching ${close} for ${open}, after ${around}`, opened);
        }
        this.read();
    }
}
function extras(t) {
    if (!t.check('LEFT_BRACKET', true))
        return;
    t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
        t.consume('WS');
        if (t.check('IDENTIFIER')) {
            t.read();
            for (;;) {
                t.consume('WS');
                if (t.check('IDENTIFIER', true))
                    t.fail('Expected comma between extra names');
                if (!t.check('COMMA'))
                    break;
                t.read();
                t.consume('WS');
                t.expect('IDENTIFIER', 'extra name after comma');
            }
        }
        t.consume('WS');
    });
}
/** The version specifiers read, as one string (`>=1,<2`). */
function specifier(t) {
    let found = '';
    t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
        t.consume('WS');
        while (t.check('SPECIFIER')) {
            const start = t.position;
            found += t.read();
            if (t.check('VERSION_PREFIX_TRAIL', true)) {
                t.fail('.* suffix can only be used with `==` or `!=` operators', start);
            }
            if (t.check('VERSION_LOCAL_LABEL_TRAIL', true)) {
                t.fail('Local version label can only be used with `==` or `!=` operators', start);
            }
            t.consume('WS');
            if (!t.check('COMMA'))
                break;
            found += t.read();
            t.consume('WS');
        }
        t.consume('WS');
    });
    return found;
}
const ONE_SPECIFIER = new RegExp(`^\\s*(?:${SPECIFIER.source})\\s*$`, 'i');
/**
 * packaging's SpecifierSet splits the text on commas and checks each part again: `===` takes
 * anything up to a space, so `foo===,<` passes the parser and fails here.
 */
function checkSpecifiers(text) {
    for (const part of text.split(',').map(s => s.trim())) {
        if (part !== '' && !ONE_SPECIFIER.test(part)) {
            throw new SyntaxProblem(`Invalid specifier: '${part}'`, 0);
        }
    }
}
function markerVar(t) {
    if (t.check('VARIABLE') || t.check('QUOTED_STRING'))
        t.read();
    else
        t.fail('Expected a marker variable or quoted string');
}
function markerAtom(t) {
    t.consume('WS');
    if (t.check('LEFT_PARENTHESIS', true)) {
        t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
            t.consume('WS');
            marker(t);
            t.consume('WS');
        });
    }
    else {
        markerVar(t);
        t.consume('WS');
        if (t.check('IN'))
            t.read();
        else if (t.check('NOT')) {
            t.read();
            t.expect('WS', "whitespace after 'not'");
            t.expect('IN', "'in' after 'not'");
        }
        else if (t.check('OP'))
            t.read();
        else
            t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
        t.consume('WS');
        markerVar(t);
    }
    t.consume('WS');
}
function marker(t) {
    markerAtom(t);
    while (t.check('BOOLOP')) {
        t.read();
        markerAtom(t);
    }
}
/** Where the marker starts. */
function requirementMarker(t, expected, start) {
    if (!t.check('SEMICOLON'))
        t.fail(`Expected ${expected} or end`, start);
    t.read();
    const at = t.position;
    marker(t);
    t.consume('WS');
    return at;
}
/** The version specifiers, if any, and where the marker starts. */
function details(t) {
    if (t.check('AT')) {
        t.read();
        t.consume('WS');
        const start = t.position;
        t.expect('URL', 'URL after @');
        if (t.check('END', true))
            return { specifiers: '' };
        t.expect('WS', 'whitespace after URL');
        if (t.check('END', true))
            return { specifiers: '' };
        return {
            specifiers: '',
            markerAt: requirementMarker(t, 'semicolon (after URL and whitespace)', start)
        };
    }
    const start = t.position;
    const found = specifier(t);
    t.consume('WS');
    if (t.check('END', true))
        return { specifiers: found };
    const markerAt = requirementMarker(t, found
        ? 'comma (within version specifier), semicolon (after version specifier)'
        : 'semicolon (after name with no version specifier)', start);
    return { specifiers: found, markerAt };
}
/** The requirement's project name, or packaging's complaint and the column it points at. */
function parsePep508(source) {
    const t = new Tokenizer(source);
    try {
        t.consume('WS');
        const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
        t.consume('WS');
        extras(t);
        t.consume('WS');
        const { specifiers, markerAt } = details(t);
        t.expect('END', 'end of dependency specifier');
        checkSpecifiers(specifiers);
        return markerAt === undefined ? { name } : { name, marker: source.slice(markerAt).trim() };
    }
    catch (error) {
        if (!(error instanceof SyntaxProblem))
            throw error;
        return { error: error.message, column: error.column };
    }
}

;// CONCATENATED MODULE: ./node_modules/toml-eslint-parser/lib/chunk-15K8U1wQ.mjs
//#region rolldown:runtime
var __defProp = Object.defineProperty;
var __exportAll = (all, symbols) => {
	let target = {};
	for (var name in all) {
		__defProp(target, name, {
			get: all[name],
			enumerable: true
		});
	}
	if (symbols) {
		__defProp(target, Symbol.toStringTag, { value: "Module" });
	}
	return target;
};

//#endregion

;// CONCATENATED MODULE: ./node_modules/toml-eslint-parser/node_modules/eslint-visitor-keys/lib/visitor-keys.js
/* eslint-disable jsdoc/valid-types -- doesn't allow `readonly`.
   TODO: remove eslint-disable when https://github.com/jsdoc-type-pratt-parser/jsdoc-type-pratt-parser/issues/164 is fixed
*/
/**
 * @typedef {{ readonly [type: string]: ReadonlyArray<string> }} VisitorKeys
 */
/* eslint-enable jsdoc/valid-types -- doesn't allow `readonly string[]`. TODO: check why */

/**
 * @type {VisitorKeys}
 */
const KEYS = {
	ArrayExpression: ["elements"],
	ArrayPattern: ["elements"],
	ArrowFunctionExpression: ["params", "body"],
	AssignmentExpression: ["left", "right"],
	AssignmentPattern: ["left", "right"],
	AwaitExpression: ["argument"],
	BinaryExpression: ["left", "right"],
	BlockStatement: ["body"],
	BreakStatement: ["label"],
	CallExpression: ["callee", "arguments"],
	CatchClause: ["param", "body"],
	ChainExpression: ["expression"],
	ClassBody: ["body"],
	ClassDeclaration: ["id", "superClass", "body"],
	ClassExpression: ["id", "superClass", "body"],
	ConditionalExpression: ["test", "consequent", "alternate"],
	ContinueStatement: ["label"],
	DebuggerStatement: [],
	DoWhileStatement: ["body", "test"],
	EmptyStatement: [],
	ExperimentalRestProperty: ["argument"],
	ExperimentalSpreadProperty: ["argument"],
	ExportAllDeclaration: ["exported", "source", "attributes"],
	ExportDefaultDeclaration: ["declaration"],
	ExportNamedDeclaration: [
		"declaration",
		"specifiers",
		"source",
		"attributes",
	],
	ExportSpecifier: ["local", "exported"],
	ExpressionStatement: ["expression"],
	ForInStatement: ["left", "right", "body"],
	ForOfStatement: ["left", "right", "body"],
	ForStatement: ["init", "test", "update", "body"],
	FunctionDeclaration: ["id", "params", "body"],
	FunctionExpression: ["id", "params", "body"],
	Identifier: [],
	IfStatement: ["test", "consequent", "alternate"],
	ImportAttribute: ["key", "value"],
	ImportDeclaration: ["specifiers", "source", "attributes"],
	ImportDefaultSpecifier: ["local"],
	ImportExpression: ["source", "options"],
	ImportNamespaceSpecifier: ["local"],
	ImportSpecifier: ["imported", "local"],
	JSXAttribute: ["name", "value"],
	JSXClosingElement: ["name"],
	JSXClosingFragment: [],
	JSXElement: ["openingElement", "children", "closingElement"],
	JSXEmptyExpression: [],
	JSXExpressionContainer: ["expression"],
	JSXFragment: ["openingFragment", "children", "closingFragment"],
	JSXIdentifier: [],
	JSXMemberExpression: ["object", "property"],
	JSXNamespacedName: ["namespace", "name"],
	JSXOpeningElement: ["name", "attributes"],
	JSXOpeningFragment: [],
	JSXSpreadAttribute: ["argument"],
	JSXSpreadChild: ["expression"],
	JSXText: [],
	LabeledStatement: ["label", "body"],
	Literal: [],
	LogicalExpression: ["left", "right"],
	MemberExpression: ["object", "property"],
	MetaProperty: ["meta", "property"],
	MethodDefinition: ["key", "value"],
	NewExpression: ["callee", "arguments"],
	ObjectExpression: ["properties"],
	ObjectPattern: ["properties"],
	PrivateIdentifier: [],
	Program: ["body"],
	Property: ["key", "value"],
	PropertyDefinition: ["key", "value"],
	RestElement: ["argument"],
	ReturnStatement: ["argument"],
	SequenceExpression: ["expressions"],
	SpreadElement: ["argument"],
	StaticBlock: ["body"],
	Super: [],
	SwitchCase: ["test", "consequent"],
	SwitchStatement: ["discriminant", "cases"],
	TaggedTemplateExpression: ["tag", "quasi"],
	TemplateElement: [],
	TemplateLiteral: ["quasis", "expressions"],
	ThisExpression: [],
	ThrowStatement: ["argument"],
	TryStatement: ["block", "handler", "finalizer"],
	UnaryExpression: ["argument"],
	UpdateExpression: ["argument"],
	VariableDeclaration: ["declarations"],
	VariableDeclarator: ["id", "init"],
	WhileStatement: ["test", "body"],
	WithStatement: ["object", "body"],
	YieldExpression: ["argument"],
};

// Types.
const NODE_TYPES = Object.keys(KEYS);

// Freeze the keys.
for (const type of NODE_TYPES) {
	Object.freeze(KEYS[type]);
}
Object.freeze(KEYS);

/* harmony default export */ const visitor_keys = (KEYS);

;// CONCATENATED MODULE: ./node_modules/toml-eslint-parser/node_modules/eslint-visitor-keys/lib/index.js
/**
 * @author Toru Nagashima <https://github.com/mysticatea>
 * See LICENSE file in root directory for full license.
 */


/**
 * @typedef {import('./visitor-keys.js').VisitorKeys} VisitorKeys
 */

// List to ignore keys.
const KEY_BLACKLIST = new Set([
	"parent",
	"leadingComments",
	"trailingComments",
]);

/**
 * Check whether a given key should be used or not.
 * @param {string} key The key to check.
 * @returns {boolean} `true` if the key should be used.
 */
function filterKey(key) {
	return !KEY_BLACKLIST.has(key) && key[0] !== "_";
}

/* eslint-disable jsdoc/valid-types -- doesn't allow `readonly`.
   TODO: remove eslint-disable when https://github.com/jsdoc-type-pratt-parser/jsdoc-type-pratt-parser/issues/164 is fixed
*/
/**
 * Get visitor keys of a given node.
 * @param {Object} node The AST node to get keys.
 * @returns {readonly string[]} Visitor keys of the node.
 */
function getKeys(node) {
	return Object.keys(node).filter(filterKey);
}
/* eslint-enable jsdoc/valid-types -- doesn't allow `readonly` */

/**
 * Make the union set with `KEYS` and given keys.
 * @param {VisitorKeys} additionalKeys The additional keys.
 * @returns {VisitorKeys} The union set.
 */
function unionWith(additionalKeys) {
	const retv =
		/** @type {{ [type: string]: ReadonlyArray<string> }} */
		(Object.assign({}, visitor_keys));

	for (const type of Object.keys(additionalKeys)) {
		if (Object.hasOwn(retv, type)) {
			const keys = new Set(additionalKeys[type]);

			for (const key of retv[type]) {
				keys.add(key);
			}

			retv[type] = Object.freeze(Array.from(keys));
		} else {
			retv[type] = Object.freeze(Array.from(additionalKeys[type]));
		}
	}

	return Object.freeze(retv);
}



;// CONCATENATED MODULE: ./node_modules/toml-eslint-parser/lib/index.mjs



//#region src/internal-utils/index.ts
/**
* Get the last element from given array
*/
function last(arr) {
	return arr[arr.length - 1] ?? null;
}
/**
* Node to key name
*/
function toKeyName(node) {
	return node.type === "TOMLBare" ? node.name : node.value;
}

//#endregion
//#region src/parser-options.ts
var TOMLVerImpl = class {
	constructor(major, minor) {
		this.major = major;
		this.minor = minor;
	}
	lt(major, minor) {
		return this.major < major || this.major === major && this.minor < minor;
	}
	gte(major, minor) {
		return this.major > major || this.major === major && this.minor >= minor;
	}
};
const TOML_VERSION_1_0 = new TOMLVerImpl(1, 0);
const TOML_VERSION_1_1 = new TOMLVerImpl(1, 1);
const DEFAULT_TOML_VERSION = TOML_VERSION_1_1;
const SUPPORTED_TOML_VERSIONS = {
	"1.0": TOML_VERSION_1_0,
	"1.0.0": TOML_VERSION_1_0,
	"1.1": TOML_VERSION_1_1,
	"1.1.0": TOML_VERSION_1_1,
	latest: TOML_VERSION_1_1,
	next: TOML_VERSION_1_1
};
/**
* Get TOML version object from given TOML version string.
*/
function getTOMLVer(v) {
	return v && SUPPORTED_TOML_VERSIONS[v] || DEFAULT_TOML_VERSION;
}

//#endregion
//#region src/errors.ts
const MESSAGES = {
	"unterminated-string": "Unterminated string constant",
	"unterminated-table-key": "Unterminated table-key",
	"unterminated-array": "Unterminated array",
	"unterminated-inline-table": "Unterminated inline table",
	"missing-key": "Empty bare keys are not allowed",
	"missing-newline": "Must be a newline",
	"missing-equals-sign": "Expected equal (=) token",
	"missing-value": "Unspecified values are invalid",
	"missing-comma": "Expected comma (,) token",
	"dupe-keys": "Defining a key multiple times is invalid",
	"unexpected-char": "Unexpected character",
	"unexpected-token": "Unexpected token",
	"invalid-control-character": "Control characters (codes < 0x1f and 0x7f) are not allowed",
	"invalid-comment-character": "Invalid code point {{cp}} within comments",
	"invalid-key-value-newline": "The key, equals sign, and value must be on the same line",
	"invalid-inline-table-newline": "No newlines are allowed between the curly braces unless they are valid within a value",
	"invalid-underscore": "Underscores are allowed between digits",
	"invalid-space": "Unexpected spaces",
	"invalid-three-quotes": "Three or more quotes are not permitted",
	"invalid-date": "Unexpected invalid date",
	"invalid-time": "Unexpected invalid time",
	"invalid-leading-zero": "Leading zeros are not allowed",
	"invalid-trailing-comma-in-inline-table": "Trailing comma is not permitted in an inline table",
	"invalid-char-in-escape-sequence": "Invalid character in escape sequence",
	"invalid-consecutive-dots-in-key": "Consecutive dots are not permitted in keys",
	"invalid-code-point": "Invalid code point {{cp}}",
	"invalid-trailing-dot-in-key": "Keys cannot end with a dot",
	"invalid-leading-dot-in-key": "Keys cannot start with a dot"
};
/**
* Get message from error code
*/
function getMessage(code, data) {
	if (data) return MESSAGES[code].replace(/\{\{(.*?)\}\}/gu, (_, name$2) => {
		if (name$2 in data) return data[name$2];
		return `{{${name$2}}}`;
	});
	return MESSAGES[code];
}
/**
* TOML parse errors.
*/
var ParseError = class extends SyntaxError {
	/**
	* Initialize this ParseError instance.
	*
	*/
	constructor(code, offset, line, column, data) {
		super(getMessage(code, data));
		this.index = offset;
		this.lineNumber = line;
		this.column = column;
	}
};

//#endregion
//#region src/tokenizer/code-point.ts
const CodePoint = {
	EOF: -1,
	NULL: 0,
	SOH: 1,
	BACKSPACE: 8,
	TABULATION: 9,
	LINE_FEED: 10,
	FORM_FEED: 12,
	CARRIAGE_RETURN: 13,
	ESCAPE: 27,
	SO: 14,
	US: 31,
	SPACE: 32,
	QUOTATION_MARK: 34,
	HASH: 35,
	SINGLE_QUOTE: 39,
	PLUS_SIGN: 43,
	COMMA: 44,
	DASH: 45,
	DOT: 46,
	DIGIT_0: 48,
	DIGIT_1: 49,
	DIGIT_2: 50,
	DIGIT_3: 51,
	DIGIT_7: 55,
	DIGIT_9: 57,
	COLON: 58,
	EQUALS_SIGN: 61,
	LATIN_CAPITAL_A: 65,
	LATIN_CAPITAL_E: 69,
	LATIN_CAPITAL_F: 70,
	LATIN_CAPITAL_T: 84,
	LATIN_CAPITAL_U: 85,
	LATIN_CAPITAL_Z: 90,
	LEFT_BRACKET: 91,
	BACKSLASH: 92,
	RIGHT_BRACKET: 93,
	UNDERSCORE: 95,
	LATIN_SMALL_A: 97,
	LATIN_SMALL_B: 98,
	LATIN_SMALL_E: 101,
	LATIN_SMALL_F: 102,
	LATIN_SMALL_I: 105,
	LATIN_SMALL_L: 108,
	LATIN_SMALL_N: 110,
	LATIN_SMALL_O: 111,
	LATIN_SMALL_R: 114,
	LATIN_SMALL_S: 115,
	LATIN_SMALL_T: 116,
	LATIN_SMALL_U: 117,
	LATIN_SMALL_X: 120,
	LATIN_SMALL_Z: 122,
	LEFT_BRACE: 123,
	RIGHT_BRACE: 125,
	TILDE: 126,
	DELETE: 127,
	PAD: 128,
	SUPERSCRIPT_TWO: 178,
	SUPERSCRIPT_THREE: 179,
	SUPERSCRIPT_ONE: 185,
	VULGAR_FRACTION_ONE_QUARTER: 188,
	VULGAR_FRACTION_THREE_QUARTERS: 190,
	LATIN_CAPITAL_LETTER_A_WITH_GRAVE: 192,
	LATIN_CAPITAL_LETTER_O_WITH_DIAERESIS: 214,
	LATIN_CAPITAL_LETTER_O_WITH_STROKE: 216,
	LATIN_SMALL_LETTER_O_WITH_DIAERESIS: 246,
	LATIN_SMALL_LETTER_O_WITH_STROKE: 248,
	GREEK_SMALL_REVERSED_DOTTED_LUNATE_SIGMA_SYMBOL: 891,
	GREEK_CAPITAL_LETTER_YOT: 895,
	CP_1FFF: 8191,
	ZERO_WIDTH_NON_JOINER: 8204,
	ZERO_WIDTH_JOINER: 8205,
	UNDERTIE: 8255,
	CHARACTER_TIE: 8256,
	SUPERSCRIPT_ZERO: 8304,
	CP_218F: 8591,
	CIRCLED_DIGIT_ONE: 9312,
	NEGATIVE_CIRCLED_DIGIT_ZERO: 9471,
	GLAGOLITIC_CAPITAL_LETTER_AZU: 11264,
	CP_2FEF: 12271,
	IDEOGRAPHIC_COMMA: 12289,
	CP_D7FF: 55295,
	CP_E000: 57344,
	CJK_COMPATIBILITY_IDEOGRAPH_F900: 63744,
	ARABIC_LIGATURE_SALAAMUHU_ALAYNAA: 64975,
	ARABIC_LIGATURE_SALLA_USED_AS_KORANIC_STOP_SIGN_ISOLATED_FORM: 65008,
	REPLACEMENT_CHARACTER: 65533,
	LINEAR_B_SYLLABLE_B008_A: 65536,
	CP_EFFFF: 983039,
	CP_10FFFF: 1114111
};
/**
* Check whether the code point is a control character.
*/
function isControl(cp) {
	return cp >= CodePoint.NULL && cp <= CodePoint.US;
}
/**
* Check whether the code point is a whitespace.
*/
function isWhitespace(cp) {
	return cp === CodePoint.TABULATION || cp === CodePoint.SPACE;
}
/**
* Check whether the code point is a end of line.
*/
function isEOL(cp) {
	return cp === CodePoint.LINE_FEED || cp === CodePoint.CARRIAGE_RETURN;
}
/**
* Check whether the code point is an uppercase letter character.
*/
function isUpperLetter(cp) {
	return cp >= CodePoint.LATIN_CAPITAL_A && cp <= CodePoint.LATIN_CAPITAL_Z;
}
/**
* Check whether the code point is a lowercase letter character.
*/
function isLowerLetter(cp) {
	return cp >= CodePoint.LATIN_SMALL_A && cp <= CodePoint.LATIN_SMALL_Z;
}
/**
* Check whether the code point is a letter character.
*/
function isLetter(cp) {
	return isLowerLetter(cp) || isUpperLetter(cp);
}
/**
* Check whether the code point is a digit character.
*/
function isDigit(cp) {
	return cp >= CodePoint.DIGIT_0 && cp <= CodePoint.DIGIT_9;
}
/**
* Check whether the code point is a hex digit character.
*/
function isHexDig(cp) {
	return isDigit(cp) || cp >= CodePoint.LATIN_SMALL_A && cp <= CodePoint.LATIN_SMALL_F || cp >= CodePoint.LATIN_CAPITAL_A && cp <= CodePoint.LATIN_CAPITAL_F;
}
/**
* Check whether the code point is a octal digit character.
*/
function isOctalDig(cp) {
	return cp >= CodePoint.DIGIT_0 && cp <= CodePoint.DIGIT_7;
}
/**
* Check whether the code point is valid code point.
*
* see
* - https://unicode.org/glossary/#unicode_scalar_value
* - https://toml.io/en/v1.0.0#string
*/
function isUnicodeScalarValue(cp) {
	return cp >= 0 && cp <= 55295 || cp >= 57344 && cp <= 1114111;
}

//#endregion
//#region src/tokenizer/locs.ts
/**
* Find the last index of the array that is less than or equal to the value.
*/
function sortedLastIndex(array, value) {
	let low = 0;
	let high = array.length;
	while (low < high) {
		const mid = low + high >>> 1;
		const val = array[mid];
		if (val === value) return mid + 1;
		if (val < value) low = mid + 1;
		else high = mid;
	}
	return low;
}
/**
* A class for getting lines and columns location.
*/
var Locations = class {
	constructor() {
		this.offsets = [];
	}
	addOffset(offset) {
		for (let i = this.offsets.length - 1; i >= 0; i--) {
			const element = this.offsets[i];
			if (element === offset) return;
			if (element < offset) break;
		}
		this.offsets.push(offset);
	}
	/**
	* Calculate the location of the given index.
	* @param index The index to calculate their location.
	* @returns The location of the index.
	*/
	getLocFromIndex(offset) {
		const line = sortedLastIndex(this.offsets, offset) + 1;
		return {
			line,
			column: offset - (line === 1 ? 0 : this.offsets[line - 2])
		};
	}
};

//#endregion
//#region src/tokenizer/code-point-iterator.ts
var CodePointIterator = class {
	/**
	* Initialize this char iterator.
	*/
	constructor(text) {
		this.locs = new Locations();
		this.lastCodePoint = CodePoint.NULL;
		this.start = -1;
		this.end = 0;
		this.text = text;
	}
	next() {
		if (this.lastCodePoint === CodePoint.EOF) return CodePoint.EOF;
		return this.lastCodePoint = this.moveAt(this.end);
	}
	getLocFromIndex(index) {
		return this.locs.getLocFromIndex(index);
	}
	eat(cp) {
		if (this.text.codePointAt(this.end) === cp) {
			this.next();
			return true;
		}
		return false;
	}
	moveAt(offset) {
		this.start = this.end = offset;
		const cp = this.text.codePointAt(this.start) ?? CodePoint.EOF;
		if (cp === CodePoint.EOF) {
			this.end = this.start;
			return cp;
		}
		this.end += cp >= 65536 ? 2 : 1;
		if (cp === CodePoint.LINE_FEED) this.locs.addOffset(this.end);
		else if (cp === CodePoint.CARRIAGE_RETURN) {
			if (this.text.codePointAt(this.end) === CodePoint.LINE_FEED) {
				this.end++;
				this.locs.addOffset(this.end);
			}
			return CodePoint.LINE_FEED;
		}
		return cp;
	}
};

//#endregion
//#region src/tokenizer/tokenizer.ts
const HAS_BIGINT = typeof BigInt !== "undefined";
const RADIX_PREFIXES = {
	16: "0x",
	10: "",
	8: "0o",
	2: "0b"
};
const ESCAPES_1_0 = {
	[CodePoint.QUOTATION_MARK]: CodePoint.QUOTATION_MARK,
	[CodePoint.BACKSLASH]: CodePoint.BACKSLASH,
	[CodePoint.LATIN_SMALL_B]: CodePoint.BACKSPACE,
	[CodePoint.LATIN_SMALL_F]: CodePoint.FORM_FEED,
	[CodePoint.LATIN_SMALL_N]: CodePoint.LINE_FEED,
	[CodePoint.LATIN_SMALL_R]: CodePoint.CARRIAGE_RETURN,
	[CodePoint.LATIN_SMALL_T]: CodePoint.TABULATION
};
const ESCAPES_LATEST = {
	...ESCAPES_1_0,
	[CodePoint.LATIN_SMALL_E]: CodePoint.ESCAPE
};
/**
* Tokenizer for TOML.
*/
var lib_Tokenizer = class {
	/**
	* Initialize this tokenizer.
	*/
	constructor(text, parserOptions) {
		this.backCode = false;
		this.lastCodePoint = CodePoint.NULL;
		this.state = "DATA";
		this.token = null;
		this.tokenStart = -1;
		this.valuesEnabled = false;
		this.text = text;
		this.parserOptions = parserOptions || {};
		this.codePointIterator = new CodePointIterator(text);
		this.tomlVersion = getTOMLVer(this.parserOptions.tomlVersion);
		this.ESCAPES = this.tomlVersion.gte(1, 1) ? ESCAPES_LATEST : ESCAPES_1_0;
	}
	get start() {
		return this.codePointIterator.start;
	}
	get end() {
		return this.codePointIterator.end;
	}
	getLocFromIndex(index) {
		return this.codePointIterator.getLocFromIndex(index);
	}
	/**
	* Report an invalid character error.
	*/
	reportParseError(code, data) {
		const offset = this.codePointIterator.start;
		const loc = this.codePointIterator.getLocFromIndex(offset);
		throw new ParseError(code, offset, loc.line, loc.column, data);
	}
	/**
	* Get the next token.
	*/
	nextToken() {
		let token = this.token;
		if (token != null) {
			this.token = null;
			return token;
		}
		let cp = this.lastCodePoint;
		while (cp !== CodePoint.EOF && !this.token) {
			cp = this.nextCode();
			const nextState = this[this.state](cp);
			if (!nextState) throw new Error(`Unknown error: pre state=${this.state}`);
			this.state = nextState;
		}
		token = this.token;
		this.token = null;
		return token;
	}
	/**
	* Get the next code point.
	*/
	nextCode() {
		if (this.lastCodePoint === CodePoint.EOF) return CodePoint.EOF;
		if (this.backCode) {
			this.backCode = false;
			return this.lastCodePoint;
		}
		return this.lastCodePoint = this.codePointIterator.next();
	}
	/**
	* Eat the next code point.
	*/
	eatCode(cp) {
		if (this.lastCodePoint === CodePoint.EOF) return false;
		if (this.backCode) {
			if (this.lastCodePoint === cp) {
				this.backCode = false;
				return true;
			}
			return false;
		}
		return this.codePointIterator.eat(cp);
	}
	/**
	* Moves the character position to the given position.
	*/
	moveAt(loc) {
		if (this.backCode) this.backCode = false;
		this.lastCodePoint = this.codePointIterator.moveAt(loc);
	}
	/**
	* Back the current code point as the given state.
	*/
	back(state) {
		this.backCode = true;
		return state;
	}
	punctuatorToken() {
		this.startToken();
		this.endToken("Punctuator", "end");
	}
	startToken() {
		this.tokenStart = this.codePointIterator.start;
	}
	/**
	* Commit the current token.
	*/
	endToken(type, pos, option1, option2) {
		const { tokenStart } = this;
		const end = this.codePointIterator[pos];
		const range = [tokenStart, end];
		const loc = {
			start: this.codePointIterator.getLocFromIndex(tokenStart),
			end: this.codePointIterator.getLocFromIndex(end)
		};
		if (type === "Block") this.token = {
			type,
			value: this.text.slice(tokenStart + 1, end),
			range,
			loc
		};
		else {
			let token;
			const value = this.text.slice(tokenStart, end);
			if (type === "BasicString" || type === "LiteralString" || type === "MultiLineBasicString" || type === "MultiLineLiteralString") token = {
				type,
				value,
				string: option1,
				range,
				loc
			};
			else if (type === "Integer") {
				const text = option1;
				token = {
					type,
					value,
					number: parseInt(text, option2),
					bigint: HAS_BIGINT ? BigInt(RADIX_PREFIXES[option2] + text) : null,
					range,
					loc
				};
			} else if (type === "Float") token = {
				type,
				value,
				number: option1,
				range,
				loc
			};
			else if (type === "Boolean") token = {
				type,
				value,
				boolean: option1,
				range,
				loc
			};
			else if (type === "LocalDate" || type === "LocalTime" || type === "LocalDateTime" || type === "OffsetDateTime") token = {
				type,
				value,
				date: option1,
				range,
				loc
			};
			else token = {
				type,
				value,
				range,
				loc
			};
			this.token = token;
		}
	}
	DATA(cp) {
		while (isWhitespace(cp) || isEOL(cp)) cp = this.nextCode();
		if (cp === CodePoint.HASH) {
			this.startToken();
			return "COMMENT";
		}
		if (cp === CodePoint.QUOTATION_MARK) {
			this.startToken();
			return "BASIC_STRING";
		}
		if (cp === CodePoint.SINGLE_QUOTE) {
			this.startToken();
			return "LITERAL_STRING";
		}
		if (cp === CodePoint.DOT || cp === CodePoint.EQUALS_SIGN || cp === CodePoint.LEFT_BRACKET || cp === CodePoint.RIGHT_BRACKET || cp === CodePoint.LEFT_BRACE || cp === CodePoint.RIGHT_BRACE || cp === CodePoint.COMMA) {
			this.punctuatorToken();
			return "DATA";
		}
		if (this.valuesEnabled) {
			if (cp === CodePoint.DASH || cp === CodePoint.PLUS_SIGN) {
				this.startToken();
				return "SIGN";
			}
			if (cp === CodePoint.LATIN_SMALL_N || cp === CodePoint.LATIN_SMALL_I) {
				this.startToken();
				return this.back("NAN_OR_INF");
			}
			if (isDigit(cp)) {
				this.startToken();
				return this.back("NUMBER");
			}
			if (cp === CodePoint.LATIN_SMALL_T || cp === CodePoint.LATIN_SMALL_F) {
				this.startToken();
				return this.back("BOOLEAN");
			}
		} else if (isUnquotedKeyChar(cp, this.tomlVersion)) {
			this.startToken();
			return "BARE";
		}
		if (cp === CodePoint.EOF) return "DATA";
		return this.reportParseError("unexpected-char");
	}
	COMMENT(cp) {
		const processCommentChar = this.tomlVersion.gte(1, 1) ? (c) => {
			if (!isNonEOL(c)) this.reportParseError("invalid-comment-character", { cp: JSON.stringify(String.fromCodePoint(c)).slice(1, -1) });
		} : (c) => {
			if (isControlOtherThanTab(c)) this.reportParseErrorControlChar();
		};
		while (!isEOL(cp) && cp !== CodePoint.EOF) {
			processCommentChar(cp);
			cp = this.nextCode();
		}
		this.endToken("Block", "start");
		return "DATA";
	}
	BARE(cp) {
		while (isUnquotedKeyChar(cp, this.tomlVersion)) cp = this.nextCode();
		this.endToken("Bare", "start");
		return this.back("DATA");
	}
	BASIC_STRING(cp) {
		if (cp === CodePoint.QUOTATION_MARK) {
			cp = this.nextCode();
			if (cp === CodePoint.QUOTATION_MARK) return "MULTI_LINE_BASIC_STRING";
			this.endToken("BasicString", "start", "");
			return this.back("DATA");
		}
		const out = [];
		while (cp !== CodePoint.QUOTATION_MARK && cp !== CodePoint.EOF && cp !== CodePoint.LINE_FEED) {
			if (isControlOtherThanTab(cp)) return this.reportParseErrorControlChar();
			if (cp === CodePoint.BACKSLASH) {
				cp = this.nextCode();
				const ecp = this.ESCAPES[cp];
				if (ecp) {
					out.push(ecp);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_SMALL_U) {
					const code = this.parseUnicode(4);
					out.push(code);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_CAPITAL_U) {
					const code = this.parseUnicode(8);
					out.push(code);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_SMALL_X && this.tomlVersion.gte(1, 1)) {
					const code = this.parseUnicode(2);
					out.push(code);
					cp = this.nextCode();
					continue;
				}
				return this.reportParseError("invalid-char-in-escape-sequence");
			}
			out.push(cp);
			cp = this.nextCode();
		}
		if (cp !== CodePoint.QUOTATION_MARK) return this.reportParseError("unterminated-string");
		this.endToken("BasicString", "end", String.fromCodePoint(...out));
		return "DATA";
	}
	MULTI_LINE_BASIC_STRING(cp) {
		const out = [];
		if (cp === CodePoint.LINE_FEED) cp = this.nextCode();
		while (cp !== CodePoint.EOF) {
			if (cp !== CodePoint.LINE_FEED && isControlOtherThanTab(cp)) return this.reportParseErrorControlChar();
			if (cp === CodePoint.QUOTATION_MARK) {
				const startPos = this.codePointIterator.start;
				if (this.eatCode(CodePoint.QUOTATION_MARK) && this.eatCode(CodePoint.QUOTATION_MARK)) {
					if (this.eatCode(CodePoint.QUOTATION_MARK)) {
						out.push(CodePoint.QUOTATION_MARK);
						if (this.eatCode(CodePoint.QUOTATION_MARK)) {
							out.push(CodePoint.QUOTATION_MARK);
							if (this.eatCode(CodePoint.QUOTATION_MARK)) {
								this.moveAt(startPos);
								return this.reportParseError("invalid-three-quotes");
							}
						}
					}
					this.endToken("MultiLineBasicString", "end", String.fromCodePoint(...out));
					return "DATA";
				}
				this.moveAt(startPos);
			}
			if (cp === CodePoint.BACKSLASH) {
				cp = this.nextCode();
				const ecp = this.ESCAPES[cp];
				if (ecp) {
					out.push(ecp);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_SMALL_U) {
					const code = this.parseUnicode(4);
					out.push(code);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_CAPITAL_U) {
					const code = this.parseUnicode(8);
					out.push(code);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LATIN_SMALL_X && this.tomlVersion.gte(1, 1)) {
					const code = this.parseUnicode(2);
					out.push(code);
					cp = this.nextCode();
					continue;
				} else if (cp === CodePoint.LINE_FEED) {
					cp = this.nextCode();
					while (isWhitespace(cp) || cp === CodePoint.LINE_FEED) cp = this.nextCode();
					continue;
				} else if (isWhitespace(cp)) {
					let valid = true;
					const startPos = this.codePointIterator.start;
					let nextCp;
					while ((nextCp = this.nextCode()) !== CodePoint.EOF) {
						if (nextCp === CodePoint.LINE_FEED) break;
						if (!isWhitespace(nextCp)) {
							this.moveAt(startPos);
							valid = false;
							break;
						}
					}
					if (valid) {
						cp = this.nextCode();
						while (isWhitespace(cp) || cp === CodePoint.LINE_FEED) cp = this.nextCode();
						continue;
					}
				}
				return this.reportParseError("invalid-char-in-escape-sequence");
			}
			out.push(cp);
			cp = this.nextCode();
		}
		return this.reportParseError("unterminated-string");
	}
	LITERAL_STRING(cp) {
		if (cp === CodePoint.SINGLE_QUOTE) {
			cp = this.nextCode();
			if (cp === CodePoint.SINGLE_QUOTE) return "MULTI_LINE_LITERAL_STRING";
			this.endToken("LiteralString", "start", "");
			return this.back("DATA");
		}
		const out = [];
		while (cp !== CodePoint.SINGLE_QUOTE && cp !== CodePoint.EOF && cp !== CodePoint.LINE_FEED) {
			if (isControlOtherThanTab(cp)) return this.reportParseErrorControlChar();
			out.push(cp);
			cp = this.nextCode();
		}
		if (cp !== CodePoint.SINGLE_QUOTE) return this.reportParseError("unterminated-string");
		this.endToken("LiteralString", "end", String.fromCodePoint(...out));
		return "DATA";
	}
	MULTI_LINE_LITERAL_STRING(cp) {
		const out = [];
		if (cp === CodePoint.LINE_FEED) cp = this.nextCode();
		while (cp !== CodePoint.EOF) {
			if (cp !== CodePoint.LINE_FEED && isControlOtherThanTab(cp)) return this.reportParseErrorControlChar();
			if (cp === CodePoint.SINGLE_QUOTE) {
				const startPos = this.codePointIterator.start;
				if (this.eatCode(CodePoint.SINGLE_QUOTE) && this.eatCode(CodePoint.SINGLE_QUOTE)) {
					if (this.eatCode(CodePoint.SINGLE_QUOTE)) {
						out.push(CodePoint.SINGLE_QUOTE);
						if (this.eatCode(CodePoint.SINGLE_QUOTE)) {
							out.push(CodePoint.SINGLE_QUOTE);
							if (this.eatCode(CodePoint.SINGLE_QUOTE)) {
								this.moveAt(startPos);
								return this.reportParseError("invalid-three-quotes");
							}
						}
					}
					this.endToken("MultiLineLiteralString", "end", String.fromCodePoint(...out));
					return "DATA";
				}
				this.moveAt(startPos);
			}
			out.push(cp);
			cp = this.nextCode();
		}
		return this.reportParseError("unterminated-string");
	}
	SIGN(cp) {
		if (cp === CodePoint.LATIN_SMALL_N || cp === CodePoint.LATIN_SMALL_I) return this.back("NAN_OR_INF");
		if (isDigit(cp)) return this.back("NUMBER");
		return this.reportParseError("unexpected-char");
	}
	NAN_OR_INF(cp) {
		if (cp === CodePoint.LATIN_SMALL_N) {
			const startPos = this.codePointIterator.start;
			if (this.eatCode(CodePoint.LATIN_SMALL_A) && this.eatCode(CodePoint.LATIN_SMALL_N)) {
				this.endToken("Float", "end", NaN);
				return "DATA";
			}
			this.moveAt(startPos);
		} else if (cp === CodePoint.LATIN_SMALL_I) {
			const startPos = this.codePointIterator.start;
			if (this.eatCode(CodePoint.LATIN_SMALL_N) && this.eatCode(CodePoint.LATIN_SMALL_F)) {
				this.endToken("Float", "end", this.text[this.tokenStart] === "-" ? -Infinity : Infinity);
				return "DATA";
			}
			this.moveAt(startPos);
		}
		return this.reportParseError("unexpected-char");
	}
	NUMBER(cp) {
		const start = this.text[this.tokenStart];
		const sign = start === "+" ? CodePoint.PLUS_SIGN : start === "-" ? CodePoint.DASH : CodePoint.NULL;
		if (cp === CodePoint.DIGIT_0) {
			if (sign === CodePoint.NULL) {
				const startPos = this.codePointIterator.start;
				const nextCp$1 = this.nextCode();
				if (isDigit(nextCp$1)) {
					const nextNextCp = this.nextCode();
					if (nextNextCp === CodePoint.COLON) {
						this.data = {
							hasDate: false,
							year: 0,
							month: 0,
							day: 0,
							hour: Number(String.fromCodePoint(CodePoint.DIGIT_0, nextCp$1)),
							minute: 0,
							second: 0
						};
						return "TIME_MINUTE";
					}
					if (isDigit(nextNextCp)) {
						const nextNextNextCp = this.nextCode();
						if (isDigit(nextNextNextCp) && this.eatCode(CodePoint.DASH)) {
							this.data = {
								hasDate: true,
								year: Number(String.fromCodePoint(CodePoint.DIGIT_0, nextCp$1, nextNextCp, nextNextNextCp)),
								month: 0,
								day: 0,
								hour: 0,
								minute: 0,
								second: 0
							};
							return "DATE_MONTH";
						}
					}
					this.moveAt(startPos);
					return this.reportParseError("invalid-leading-zero");
				}
				this.moveAt(startPos);
			}
			cp = this.nextCode();
			if (cp === CodePoint.LATIN_SMALL_X || cp === CodePoint.LATIN_SMALL_O || cp === CodePoint.LATIN_SMALL_B) {
				if (sign !== CodePoint.NULL) return this.reportParseError("unexpected-char");
				return cp === CodePoint.LATIN_SMALL_X ? "HEX" : cp === CodePoint.LATIN_SMALL_O ? "OCTAL" : "BINARY";
			}
			if (cp === CodePoint.LATIN_SMALL_E || cp === CodePoint.LATIN_CAPITAL_E) {
				this.data = {
					minus: sign === CodePoint.DASH,
					left: [CodePoint.DIGIT_0]
				};
				return "EXPONENT_RIGHT";
			}
			if (cp === CodePoint.DOT) {
				this.data = {
					minus: sign === CodePoint.DASH,
					absInt: [CodePoint.DIGIT_0]
				};
				return "FRACTIONAL_RIGHT";
			}
			this.endToken("Integer", "start", "0", 10);
			return this.back("DATA");
		}
		const { out, nextCp, hasUnderscore } = this.parseDigits(cp, isDigit);
		if (nextCp === CodePoint.DASH && sign === CodePoint.NULL && !hasUnderscore && out.length === 4) {
			this.data = {
				hasDate: true,
				year: Number(String.fromCodePoint(...out)),
				month: 0,
				day: 0,
				hour: 0,
				minute: 0,
				second: 0
			};
			return "DATE_MONTH";
		}
		if (nextCp === CodePoint.COLON && sign === CodePoint.NULL && !hasUnderscore && out.length === 2) {
			this.data = {
				hasDate: false,
				year: 0,
				month: 0,
				day: 0,
				hour: Number(String.fromCodePoint(...out)),
				minute: 0,
				second: 0
			};
			return "TIME_MINUTE";
		}
		if (nextCp === CodePoint.LATIN_SMALL_E || nextCp === CodePoint.LATIN_CAPITAL_E) {
			this.data = {
				minus: sign === CodePoint.DASH,
				left: out
			};
			return "EXPONENT_RIGHT";
		}
		if (nextCp === CodePoint.DOT) {
			this.data = {
				minus: sign === CodePoint.DASH,
				absInt: out
			};
			return "FRACTIONAL_RIGHT";
		}
		this.endToken("Integer", "start", sign === CodePoint.DASH ? String.fromCodePoint(CodePoint.DASH, ...out) : String.fromCodePoint(...out), 10);
		return this.back("DATA");
	}
	HEX(cp) {
		const { out } = this.parseDigits(cp, isHexDig);
		this.endToken("Integer", "start", String.fromCodePoint(...out), 16);
		return this.back("DATA");
	}
	OCTAL(cp) {
		const { out } = this.parseDigits(cp, isOctalDig);
		this.endToken("Integer", "start", String.fromCodePoint(...out), 8);
		return this.back("DATA");
	}
	BINARY(cp) {
		const { out } = this.parseDigits(cp, (c) => c === CodePoint.DIGIT_0 || c === CodePoint.DIGIT_1);
		this.endToken("Integer", "start", String.fromCodePoint(...out), 2);
		return this.back("DATA");
	}
	FRACTIONAL_RIGHT(cp) {
		const { minus, absInt } = this.data;
		const { out, nextCp } = this.parseDigits(cp, isDigit);
		const absNum = [
			...absInt,
			CodePoint.DOT,
			...out
		];
		if (nextCp === CodePoint.LATIN_SMALL_E || nextCp === CodePoint.LATIN_CAPITAL_E) {
			this.data = {
				minus,
				left: absNum
			};
			return "EXPONENT_RIGHT";
		}
		const value = Number(minus ? String.fromCodePoint(CodePoint.DASH, ...absNum) : String.fromCodePoint(...absNum));
		this.endToken("Float", "start", value);
		return this.back("DATA");
	}
	EXPONENT_RIGHT(cp) {
		const { left, minus: leftMinus } = this.data;
		let minus = false;
		if (cp === CodePoint.DASH || cp === CodePoint.PLUS_SIGN) {
			minus = cp === CodePoint.DASH;
			cp = this.nextCode();
		}
		const { out } = this.parseDigits(cp, isDigit);
		const right = out;
		if (minus) right.unshift(CodePoint.DASH);
		const value = Number(leftMinus ? String.fromCodePoint(CodePoint.DASH, ...left, CodePoint.LATIN_SMALL_E, ...right) : String.fromCodePoint(...left, CodePoint.LATIN_SMALL_E, ...right));
		this.endToken("Float", "start", value);
		return this.back("DATA");
	}
	BOOLEAN(cp) {
		if (cp === CodePoint.LATIN_SMALL_T) {
			const startPos = this.codePointIterator.start;
			if (this.eatCode(CodePoint.LATIN_SMALL_R) && this.eatCode(CodePoint.LATIN_SMALL_U) && this.eatCode(CodePoint.LATIN_SMALL_E)) {
				this.endToken("Boolean", "end", true);
				return "DATA";
			}
			this.moveAt(startPos);
		} else if (cp === CodePoint.LATIN_SMALL_F) {
			const startPos = this.codePointIterator.start;
			if (this.eatCode(CodePoint.LATIN_SMALL_A) && this.eatCode(CodePoint.LATIN_SMALL_L) && this.eatCode(CodePoint.LATIN_SMALL_S) && this.eatCode(CodePoint.LATIN_SMALL_E)) {
				this.endToken("Boolean", "end", false);
				return "DATA";
			}
			this.moveAt(startPos);
		}
		return this.reportParseError("unexpected-char");
	}
	DATE_MONTH(cp) {
		const start = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (cp !== CodePoint.DASH) return this.reportParseError("unexpected-char");
		const end = this.codePointIterator.start;
		const data = this.data;
		data.month = Number(this.text.slice(start, end));
		return "DATE_DAY";
	}
	DATE_DAY(cp) {
		const start = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const end = this.codePointIterator.end;
		const data = this.data;
		data.day = Number(this.text.slice(start, end));
		if (!isValidDate(data.year, data.month, data.day)) return this.reportParseError("invalid-date");
		cp = this.nextCode();
		if (cp === CodePoint.LATIN_CAPITAL_T || cp === CodePoint.LATIN_SMALL_T) return "TIME_HOUR";
		if (cp === CodePoint.SPACE) {
			const startPos = this.codePointIterator.start;
			if (isDigit(this.nextCode()) && isDigit(this.nextCode())) {
				this.moveAt(startPos);
				return "TIME_HOUR";
			}
			this.moveAt(startPos);
		}
		const dateValue = getDateFromDateTimeData(data, "");
		this.endToken("LocalDate", "start", dateValue);
		return this.back("DATA");
	}
	TIME_HOUR(cp) {
		const start = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (cp !== CodePoint.COLON) return this.reportParseError("unexpected-char");
		const end = this.codePointIterator.start;
		const data = this.data;
		data.hour = Number(this.text.slice(start, end));
		return "TIME_MINUTE";
	}
	TIME_MINUTE(cp) {
		const start = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const end = this.codePointIterator.end;
		const data = this.data;
		data.minute = Number(this.text.slice(start, end));
		cp = this.nextCode();
		if (cp === CodePoint.COLON) return "TIME_SECOND";
		if (this.tomlVersion.lt(1, 1)) return this.reportParseError("unexpected-char");
		if (!isValidTime(data.hour, data.minute, data.second)) return this.reportParseError("invalid-time");
		return this.processTimeEnd(cp, data);
	}
	TIME_SECOND(cp) {
		const start = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const end = this.codePointIterator.end;
		const data = this.data;
		data.second = Number(this.text.slice(start, end));
		if (!isValidTime(data.hour, data.minute, data.second)) return this.reportParseError("invalid-time");
		cp = this.nextCode();
		if (cp === CodePoint.DOT) return "TIME_SEC_FRAC";
		return this.processTimeEnd(cp, data);
	}
	TIME_SEC_FRAC(cp) {
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const start = this.codePointIterator.start;
		while (isDigit(cp)) cp = this.nextCode();
		const end = this.codePointIterator.start;
		const data = this.data;
		data.frac = this.text.slice(start, end);
		return this.processTimeEnd(cp, data);
	}
	processTimeEnd(cp, data) {
		if (data.hasDate) {
			if (cp === CodePoint.DASH || cp === CodePoint.PLUS_SIGN) {
				data.offsetSign = cp;
				return "TIME_OFFSET";
			}
			if (cp === CodePoint.LATIN_CAPITAL_Z || cp === CodePoint.LATIN_SMALL_Z) {
				const dateValue$2 = getDateFromDateTimeData(data, "Z");
				this.endToken("OffsetDateTime", "end", dateValue$2);
				return "DATA";
			}
			const dateValue$1 = getDateFromDateTimeData(data, "");
			this.endToken("LocalDateTime", "start", dateValue$1);
			return this.back("DATA");
		}
		const dateValue = getDateFromDateTimeData(data, "");
		this.endToken("LocalTime", "start", dateValue);
		return this.back("DATA");
	}
	TIME_OFFSET(cp) {
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const hourStart = this.codePointIterator.start;
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (cp !== CodePoint.COLON) return this.reportParseError("unexpected-char");
		const hourEnd = this.codePointIterator.start;
		cp = this.nextCode();
		const minuteStart = this.codePointIterator.start;
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		cp = this.nextCode();
		if (!isDigit(cp)) return this.reportParseError("unexpected-char");
		const minuteEnd = this.codePointIterator.end;
		const hour = Number(this.text.slice(hourStart, hourEnd));
		const minute = Number(this.text.slice(minuteStart, minuteEnd));
		if (!isValidTime(hour, minute, 0)) return this.reportParseError("invalid-time");
		const data = this.data;
		const dateValue = getDateFromDateTimeData(data, `${String.fromCodePoint(data.offsetSign)}${padStart(hour, 2)}:${padStart(minute, 2)}`);
		this.endToken("OffsetDateTime", "end", dateValue);
		return "DATA";
	}
	parseDigits(cp, checkDigit) {
		if (cp === CodePoint.UNDERSCORE) return this.reportParseError("invalid-underscore");
		if (!checkDigit(cp)) return this.reportParseError("unexpected-char");
		const out = [];
		let before = CodePoint.NULL;
		let hasUnderscore = false;
		while (checkDigit(cp) || cp === CodePoint.UNDERSCORE) {
			if (cp === CodePoint.UNDERSCORE) {
				hasUnderscore = true;
				if (before === CodePoint.UNDERSCORE) return this.reportParseError("invalid-underscore");
			} else out.push(cp);
			before = cp;
			cp = this.nextCode();
		}
		if (before === CodePoint.UNDERSCORE) return this.reportParseError("invalid-underscore");
		return {
			out,
			nextCp: cp,
			hasUnderscore
		};
	}
	parseUnicode(count) {
		const startLoc = this.codePointIterator.start;
		const start = this.codePointIterator.end;
		let charCount = 0;
		let cp;
		while ((cp = this.nextCode()) !== CodePoint.EOF) {
			if (!isHexDig(cp)) {
				this.moveAt(startLoc);
				return this.reportParseError("invalid-char-in-escape-sequence");
			}
			charCount++;
			if (charCount >= count) break;
		}
		const end = this.codePointIterator.end;
		const code = this.text.slice(start, end);
		const codePoint = parseInt(code, 16);
		if (!isUnicodeScalarValue(codePoint)) return this.reportParseError("invalid-code-point", { cp: code });
		return codePoint;
	}
	reportParseErrorControlChar() {
		return this.reportParseError("invalid-control-character");
	}
};
/**
* Check whether the code point is unquoted-key-char
*/
function isUnquotedKeyChar(cp, tomlVersion) {
	if (isLetter(cp) || isDigit(cp) || cp === CodePoint.UNDERSCORE || cp === CodePoint.DASH) return true;
	if (tomlVersion.lt(1, 1)) return false;
	return false;
}
/**
* Check whether the code point is control character other than tab
*/
function isControlOtherThanTab(cp) {
	return isControl(cp) && cp !== CodePoint.TABULATION || cp === CodePoint.DELETE;
}
/**
* Check whether the code point is non-eol for TOML 1.1
*/
function isNonEOL(cp) {
	return cp === CodePoint.TABULATION || CodePoint.SPACE <= cp && cp <= CodePoint.TILDE || isNonAscii(cp);
}
/**
* Check whether the code point is a non-ascii character.
*/
function isNonAscii(cp) {
	return CodePoint.PAD <= cp && cp <= CodePoint.CP_D7FF || CodePoint.CP_E000 <= cp && cp <= CodePoint.CP_10FFFF;
}
/**
* Check whether the given values is valid date
*/
function isValidDate(y, m, d) {
	if (y >= 0 && m <= 12 && m >= 1 && d >= 1) return d <= (m === 2 ? y & 3 || !(y % 25) && y & 15 ? 28 : 29 : 30 + (m + (m >> 3) & 1));
	return false;
}
/**
* Check whether the given values is valid time
*/
function isValidTime(h, m, s) {
	if (h >= 24 || h < 0 || m > 59 || m < 0 || s > 60 || s < 0) return false;
	return true;
}
/**
* Get date from DateTimeData
*/
function getDateFromDateTimeData(data, timeZone) {
	const year = padStart(data.year, 4);
	const month = data.month ? padStart(data.month, 2) : "01";
	const day = data.day ? padStart(data.day, 2) : "01";
	const hour = padStart(data.hour, 2);
	const minute = padStart(data.minute, 2);
	const second = padStart(data.second, 2);
	const textDate = `${year}-${month}-${day}`;
	const frac = data.frac ? `.${data.frac}` : "";
	const dateValue = /* @__PURE__ */ new Date(`${textDate}T${hour}:${minute}:${second}${frac}${timeZone}`);
	if (!isNaN(dateValue.getTime()) || data.second !== 60) return dateValue;
	return /* @__PURE__ */ new Date(`${textDate}T${hour}:${minute}:59${frac}${timeZone}`);
}
/**
* Pad with zeros.
*/
function padStart(num, maxLength) {
	return String(num).padStart(maxLength, "0");
}

//#endregion
//#region src/toml-parser/keys-resolver.ts
const VALUE_KIND_VALUE = Symbol("VALUE_KIND_VALUE");
const VALUE_KIND_INTERMEDIATE = Symbol("VALUE_KIND_INTERMEDIATE");
var KeysResolver = class {
	constructor(ctx) {
		this.rootKeys = /* @__PURE__ */ new Map();
		this.tables = [];
		this.ctx = ctx;
	}
	applyResolveKeyForTable(node) {
		let keys = this.rootKeys;
		const peekKeyIndex = node.key.keys.length - 1;
		for (let index = 0; index < peekKeyIndex; index++) {
			const keyNode = node.key.keys[index];
			const keyName = toKeyName(keyNode);
			node.resolvedKey.push(keyName);
			let keyStore = keys.get(keyName);
			if (!keyStore) {
				keyStore = {
					node: keyNode,
					keys: /* @__PURE__ */ new Map()
				};
				keys.set(keyName, keyStore);
			} else if (keyStore.table === "array") {
				const peekIndex = keyStore.peekIndex;
				node.resolvedKey.push(peekIndex);
				keyStore = keyStore.keys.get(peekIndex);
			}
			keys = keyStore.keys;
		}
		const lastKeyNode = node.key.keys[peekKeyIndex];
		const lastKeyName = toKeyName(lastKeyNode);
		node.resolvedKey.push(lastKeyName);
		const lastKeyStore = keys.get(lastKeyName);
		if (!lastKeyStore) if (node.kind === "array") {
			node.resolvedKey.push(0);
			const newKeyStore = {
				node: lastKeyNode,
				keys: /* @__PURE__ */ new Map()
			};
			keys.set(lastKeyName, {
				table: node.kind,
				node: lastKeyNode,
				keys: new Map([[0, newKeyStore]]),
				peekIndex: 0
			});
			this.tables.push({
				node,
				keys: newKeyStore.keys
			});
		} else {
			const newKeyStore = {
				table: node.kind,
				node: lastKeyNode,
				keys: /* @__PURE__ */ new Map()
			};
			keys.set(lastKeyName, newKeyStore);
			this.tables.push({
				node,
				keys: newKeyStore.keys
			});
		}
		else if (!lastKeyStore.table) if (node.kind === "array") this.ctx.reportParseError("dupe-keys", lastKeyNode);
		else {
			const transformKey = {
				table: node.kind,
				node: lastKeyNode,
				keys: lastKeyStore.keys
			};
			keys.set(lastKeyName, transformKey);
			this.tables.push({
				node,
				keys: transformKey.keys
			});
		}
		else if (lastKeyStore.table === "array") if (node.kind === "array") {
			const newKeyStore = {
				node: lastKeyNode,
				keys: /* @__PURE__ */ new Map()
			};
			const newIndex = lastKeyStore.peekIndex + 1;
			node.resolvedKey.push(newIndex);
			lastKeyStore.keys.set(newIndex, newKeyStore);
			lastKeyStore.peekIndex = newIndex;
			this.tables.push({
				node,
				keys: newKeyStore.keys
			});
		} else this.ctx.reportParseError("dupe-keys", lastKeyNode);
		else this.ctx.reportParseError("dupe-keys", lastKeyNode);
	}
	verifyDuplicateKeys(node) {
		for (const body of node.body) if (body.type === "TOMLKeyValue") verifyDuplicateKeysForKeyValue(this.ctx, this.rootKeys, body);
		for (const { node: tableNode, keys } of this.tables) for (const body of tableNode.body) verifyDuplicateKeysForKeyValue(this.ctx, keys, body);
	}
};
/**
* Verify duplicate keys from TOMLKeyValue
*/
function verifyDuplicateKeysForKeyValue(ctx, defineKeys, node) {
	let keys = defineKeys;
	const lastKey = last(node.key.keys);
	for (const keyNode of node.key.keys) {
		const key = toKeyName(keyNode);
		let defineKey = keys.get(key);
		if (defineKey) {
			if (defineKey.value === VALUE_KIND_VALUE) ctx.reportParseError("dupe-keys", getAfterNode(keyNode, defineKey.node));
			else if (lastKey === keyNode) ctx.reportParseError("dupe-keys", getAfterNode(keyNode, defineKey.node));
			else if (defineKey.table) ctx.reportParseError("dupe-keys", getAfterNode(keyNode, defineKey.node));
			defineKey.value = VALUE_KIND_INTERMEDIATE;
		} else {
			if (lastKey === keyNode) defineKey = {
				value: VALUE_KIND_VALUE,
				node: keyNode,
				keys: /* @__PURE__ */ new Map()
			};
			else defineKey = {
				value: VALUE_KIND_INTERMEDIATE,
				node: keyNode,
				keys: /* @__PURE__ */ new Map()
			};
			keys.set(key, defineKey);
		}
		keys = defineKey.keys;
	}
	if (node.value.type === "TOMLInlineTable") verifyDuplicateKeysForInlineTable(ctx, keys, node.value);
	else if (node.value.type === "TOMLArray") verifyDuplicateKeysForArray(ctx, keys, node.value);
}
/**
* Verify duplicate keys from TOMLInlineTable
*/
function verifyDuplicateKeysForInlineTable(ctx, defineKeys, node) {
	for (const body of node.body) verifyDuplicateKeysForKeyValue(ctx, defineKeys, body);
}
/**
* Verify duplicate keys from TOMLArray
*/
function verifyDuplicateKeysForArray(ctx, defineKeys, node) {
	const keys = defineKeys;
	for (let index = 0; index < node.elements.length; index++) {
		const element = node.elements[index];
		let defineKey = keys.get(index);
		if (defineKey) ctx.reportParseError("dupe-keys", getAfterNode(element, defineKey.node));
		else {
			defineKey = {
				value: VALUE_KIND_VALUE,
				node: element,
				keys: /* @__PURE__ */ new Map()
			};
			defineKeys.set(index, defineKey);
			if (element.type === "TOMLInlineTable") verifyDuplicateKeysForInlineTable(ctx, defineKey.keys, element);
			else if (element.type === "TOMLArray") verifyDuplicateKeysForArray(ctx, defineKey.keys, element);
		}
	}
}
/**
* Get the after node
*/
function getAfterNode(a, b) {
	return a.range[0] <= b.range[0] ? b : a;
}

//#endregion
//#region src/toml-parser/context.ts
var Context = class {
	constructor(data) {
		this.tokens = [];
		this.comments = [];
		this.back = null;
		this.stateStack = [];
		this.needNewLine = false;
		this.needSameLine = false;
		this.currToken = null;
		this.prevToken = null;
		this.valueContainerStack = [];
		this.tokenizer = new lib_Tokenizer(data.text, data.parserOptions);
		this.topLevelTable = data.topLevelTable;
		this.table = data.topLevelTable;
		this.keysResolver = new KeysResolver(this);
	}
	/**
	* Get the next token.
	*/
	nextToken(option) {
		this.prevToken = this.currToken;
		if (this.back) {
			this.currToken = this.back;
			this.back = null;
		} else this.currToken = this._nextTokenFromTokenizer(option);
		if ((this.needNewLine || this.needSameLine || option?.needSameLine) && this.prevToken && this.currToken) if (this.prevToken.loc.end.line === this.currToken.loc.start.line) {
			if (this.needNewLine) return this.reportParseError("missing-newline", this.currToken);
		} else {
			const needSameLine = this.needSameLine || option?.needSameLine;
			if (needSameLine) return this.reportParseError(needSameLine, this.currToken);
		}
		this.needNewLine = false;
		this.needSameLine = false;
		return this.currToken;
	}
	_nextTokenFromTokenizer(option) {
		const valuesEnabled = this.tokenizer.valuesEnabled;
		if (option?.valuesEnabled) this.tokenizer.valuesEnabled = option.valuesEnabled;
		let token = this.tokenizer.nextToken();
		while (token && token.type === "Block") {
			this.comments.push(token);
			token = this.tokenizer.nextToken();
		}
		if (token) this.tokens.push(token);
		this.tokenizer.valuesEnabled = valuesEnabled;
		return token;
	}
	backToken() {
		if (this.back) throw new Error("Illegal state");
		this.back = this.currToken;
		this.currToken = this.prevToken;
	}
	addValueContainer(valueContainer) {
		this.valueContainerStack.push(valueContainer);
		this.tokenizer.valuesEnabled = true;
	}
	consumeValueContainer() {
		const valueContainer = this.valueContainerStack.pop();
		this.tokenizer.valuesEnabled = this.valueContainerStack.length > 0;
		return valueContainer;
	}
	applyResolveKeyForTable(node) {
		this.keysResolver.applyResolveKeyForTable(node);
	}
	verifyDuplicateKeys() {
		this.keysResolver.verifyDuplicateKeys(this.topLevelTable);
	}
	/**
	* Report an invalid token error.
	*/
	reportParseError(code, token) {
		let offset, line, column;
		if (token) {
			offset = token.range[0];
			line = token.loc.start.line;
			column = token.loc.start.column;
		} else {
			offset = this.tokenizer.start;
			const startPos = this.tokenizer.getLocFromIndex(offset);
			line = startPos.line;
			column = startPos.column;
		}
		throw new ParseError(code, offset, line, column);
	}
};

//#endregion
//#region src/toml-parser/index.ts
const STATE_FOR_ERROR = { VALUE: "missing-value" };
const STRING_VALUE_STYLE_MAP = {
	BasicString: "basic",
	MultiLineBasicString: "basic",
	LiteralString: "literal",
	MultiLineLiteralString: "literal"
};
const STRING_KEY_STYLE_MAP = {
	BasicString: "basic",
	LiteralString: "literal"
};
const DATETIME_VALUE_KIND_MAP = {
	OffsetDateTime: "offset-date-time",
	LocalDateTime: "local-date-time",
	LocalDate: "local-date",
	LocalTime: "local-time"
};
var TOMLParser = class {
	/**
	* Initialize this parser.
	*/
	constructor(text, parserOptions) {
		this.text = text;
		this.parserOptions = parserOptions || {};
		this.tomlVersion = getTOMLVer(this.parserOptions.tomlVersion);
	}
	/**
	* Parse TOML
	*/
	parse() {
		const ast = {
			type: "Program",
			body: [],
			sourceType: "module",
			tokens: [],
			comments: [],
			parent: null,
			range: [0, 0],
			loc: {
				start: {
					line: 1,
					column: 0
				},
				end: {
					line: 1,
					column: 0
				}
			}
		};
		const node = {
			type: "TOMLTopLevelTable",
			body: [],
			parent: ast,
			range: cloneRange(ast.range),
			loc: cloneLoc(ast.loc)
		};
		ast.body = [node];
		const ctx = new Context({
			text: this.text,
			parserOptions: this.parserOptions,
			topLevelTable: node
		});
		let token = ctx.nextToken();
		if (token) {
			node.range[0] = token.range[0];
			node.loc.start = clonePos(token.loc.start);
			while (token) {
				const state$1 = ctx.stateStack.pop() || "TABLE";
				ctx.stateStack.push(...this[state$1](token, ctx));
				token = ctx.nextToken();
			}
			const state = ctx.stateStack.pop() || "TABLE";
			if (state in STATE_FOR_ERROR) return ctx.reportParseError(STATE_FOR_ERROR[state], null);
			if (ctx.table.type === "TOMLTable") applyEndLoc(ctx.table, last(ctx.table.body));
			applyEndLoc(node, last(node.body));
		}
		ctx.verifyDuplicateKeys();
		ast.tokens = ctx.tokens;
		ast.comments = ctx.comments;
		const endOffset = ctx.tokenizer.end;
		const endPos = ctx.tokenizer.getLocFromIndex(endOffset);
		ast.range[1] = endOffset;
		ast.loc.end = {
			line: endPos.line,
			column: endPos.column
		};
		return ast;
	}
	TABLE(token, ctx) {
		if (isBare(token) || isString(token)) return this.processKeyValue(token, ctx.table, ctx);
		if (isLeftBracket(token)) return this.processTable(token, ctx.topLevelTable, ctx);
		return ctx.reportParseError("unexpected-token", token);
	}
	VALUE(token, ctx) {
		if (isString(token) || isMultiLineString(token)) return this.processStringValue(token, ctx);
		if (isNumber(token)) return this.processNumberValue(token, ctx);
		if (isBoolean(token)) return this.processBooleanValue(token, ctx);
		if (isDateTime(token)) return this.processDateTimeValue(token, ctx);
		if (isLeftBracket(token)) return this.processArray(token, ctx);
		if (isLeftBrace(token)) return this.processInlineTable(token, ctx);
		return ctx.reportParseError("unexpected-token", token);
	}
	processTable(token, topLevelTableNode, ctx) {
		const tableNode = {
			type: "TOMLTable",
			kind: "standard",
			key: null,
			resolvedKey: [],
			body: [],
			parent: topLevelTableNode,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		if (ctx.table.type === "TOMLTable") applyEndLoc(ctx.table, last(ctx.table.body));
		topLevelTableNode.body.push(tableNode);
		ctx.table = tableNode;
		let targetToken = ctx.nextToken({ needSameLine: "invalid-key-value-newline" });
		if (isLeftBracket(targetToken)) {
			if (token.range[1] < targetToken.range[0]) return ctx.reportParseError("invalid-space", targetToken);
			tableNode.kind = "array";
			targetToken = ctx.nextToken({ needSameLine: "invalid-key-value-newline" });
		}
		if (isRightBracket(targetToken)) return ctx.reportParseError("missing-key", targetToken);
		if (!targetToken) return ctx.reportParseError("unterminated-table-key", null);
		targetToken = this.processKeyNode(targetToken, tableNode, ctx).nextToken;
		if (!isRightBracket(targetToken)) return ctx.reportParseError("unterminated-table-key", targetToken);
		if (tableNode.kind === "array") {
			const rightBracket = targetToken;
			targetToken = ctx.nextToken({ needSameLine: "invalid-key-value-newline" });
			if (!isRightBracket(targetToken)) return ctx.reportParseError("unterminated-table-key", targetToken);
			if (rightBracket.range[1] < targetToken.range[0]) return ctx.reportParseError("invalid-space", targetToken);
		}
		applyEndLoc(tableNode, targetToken);
		ctx.applyResolveKeyForTable(tableNode);
		ctx.needNewLine = true;
		return [];
	}
	processKeyValue(token, tableNode, ctx) {
		const keyValueNode = {
			type: "TOMLKeyValue",
			key: null,
			value: null,
			parent: tableNode,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		tableNode.body.push(keyValueNode);
		const { nextToken: targetToken } = this.processKeyNode(token, keyValueNode, ctx);
		if (!isEq(targetToken)) return ctx.reportParseError("missing-equals-sign", targetToken);
		ctx.addValueContainer({
			parent: keyValueNode,
			set: (valNode) => {
				keyValueNode.value = valNode;
				applyEndLoc(keyValueNode, valNode);
				ctx.needNewLine = true;
				return [];
			}
		});
		ctx.needSameLine = "invalid-key-value-newline";
		return ["VALUE"];
	}
	processKeyNode(token, parent, ctx) {
		if (isDot(token)) ctx.reportParseError("invalid-leading-dot-in-key", token);
		const keyNode = {
			type: "TOMLKey",
			keys: [],
			parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		parent.key = keyNode;
		let targetToken = token;
		let dotToken = null;
		do {
			if (isBare(targetToken)) this.processBareKey(targetToken, keyNode);
			else if (isString(targetToken)) this.processStringKey(targetToken, keyNode);
			else break;
			dotToken = null;
			targetToken = ctx.nextToken({ needSameLine: "invalid-key-value-newline" });
			if (!isDot(targetToken)) break;
			dotToken = targetToken;
			targetToken = ctx.nextToken({ needSameLine: "invalid-key-value-newline" });
		} while (targetToken);
		if (dotToken) ctx.reportParseError(isDot(targetToken) ? "invalid-consecutive-dots-in-key" : "invalid-trailing-dot-in-key", dotToken);
		applyEndLoc(keyNode, last(keyNode.keys));
		return {
			keyNode,
			nextToken: targetToken
		};
	}
	processBareKey(token, keyNode) {
		const node = {
			type: "TOMLBare",
			name: token.value,
			parent: keyNode,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		keyNode.keys.push(node);
	}
	processStringKey(token, keyNode) {
		const node = {
			type: "TOMLQuoted",
			kind: "string",
			value: token.string,
			style: STRING_KEY_STYLE_MAP[token.type],
			multiline: false,
			parent: keyNode,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		keyNode.keys.push(node);
	}
	processStringValue(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const node = {
			type: "TOMLValue",
			kind: "string",
			value: token.string,
			style: STRING_VALUE_STYLE_MAP[token.type],
			multiline: isMultiLineString(token),
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		return valueContainer.set(node);
	}
	processNumberValue(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const text = this.text;
		const [startRange, endRange] = token.range;
		let numberString = null;
		/**
		* Get the text of number
		*/
		const getNumberText = () => {
			return numberString ?? (numberString = text.slice(startRange, endRange).replace(/_/g, ""));
		};
		let node;
		if (token.type === "Integer") node = {
			type: "TOMLValue",
			kind: "integer",
			value: token.number,
			bigint: token.bigint,
			get number() {
				return getNumberText();
			},
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		else node = {
			type: "TOMLValue",
			kind: "float",
			value: token.number,
			get number() {
				return getNumberText();
			},
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		return valueContainer.set(node);
	}
	processBooleanValue(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const node = {
			type: "TOMLValue",
			kind: "boolean",
			value: token.boolean,
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		return valueContainer.set(node);
	}
	processDateTimeValue(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const node = {
			type: "TOMLValue",
			kind: DATETIME_VALUE_KIND_MAP[token.type],
			value: token.date,
			datetime: token.value,
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		return valueContainer.set(node);
	}
	processArray(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const node = {
			type: "TOMLArray",
			elements: [],
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		const nextToken = ctx.nextToken({ valuesEnabled: true });
		if (isRightBracket(nextToken)) {
			applyEndLoc(node, nextToken);
			return valueContainer.set(node);
		}
		ctx.backToken();
		return this.processArrayValue(node, valueContainer, ctx);
	}
	processArrayValue(node, valueContainer, ctx) {
		ctx.addValueContainer({
			parent: node,
			set: (valNode) => {
				node.elements.push(valNode);
				let nextToken = ctx.nextToken({ valuesEnabled: true });
				const hasComma = isComma(nextToken);
				if (hasComma) nextToken = ctx.nextToken({ valuesEnabled: true });
				if (isRightBracket(nextToken)) {
					applyEndLoc(node, nextToken);
					return valueContainer.set(node);
				}
				if (hasComma) {
					ctx.backToken();
					return this.processArrayValue(node, valueContainer, ctx);
				}
				return ctx.reportParseError(nextToken ? "missing-comma" : "unterminated-array", nextToken);
			}
		});
		return ["VALUE"];
	}
	processInlineTable(token, ctx) {
		const valueContainer = ctx.consumeValueContainer();
		const node = {
			type: "TOMLInlineTable",
			body: [],
			parent: valueContainer.parent,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		const needSameLine = this.tomlVersion.gte(1, 1) ? void 0 : "invalid-inline-table-newline";
		const nextToken = ctx.nextToken({ needSameLine });
		if (nextToken) {
			if (isBare(nextToken) || isString(nextToken)) return this.processInlineTableKeyValue(nextToken, node, valueContainer, ctx);
			if (isRightBrace(nextToken)) {
				applyEndLoc(node, nextToken);
				return valueContainer.set(node);
			}
		}
		return ctx.reportParseError("unexpected-token", nextToken);
	}
	processInlineTableKeyValue(token, inlineTableNode, valueContainer, ctx) {
		const keyValueNode = {
			type: "TOMLKeyValue",
			key: null,
			value: null,
			parent: inlineTableNode,
			range: cloneRange(token.range),
			loc: cloneLoc(token.loc)
		};
		inlineTableNode.body.push(keyValueNode);
		const { nextToken: targetToken } = this.processKeyNode(token, keyValueNode, ctx);
		if (!isEq(targetToken)) return ctx.reportParseError("missing-equals-sign", targetToken);
		const needSameLine = this.tomlVersion.gte(1, 1) ? void 0 : "invalid-inline-table-newline";
		ctx.addValueContainer({
			parent: keyValueNode,
			set: (valNode) => {
				keyValueNode.value = valNode;
				applyEndLoc(keyValueNode, valNode);
				let nextToken = ctx.nextToken({ needSameLine });
				if (isComma(nextToken)) {
					nextToken = ctx.nextToken({ needSameLine });
					if (nextToken && (isBare(nextToken) || isString(nextToken))) return this.processInlineTableKeyValue(nextToken, inlineTableNode, valueContainer, ctx);
					if (isRightBrace(nextToken)) {
						if (this.tomlVersion.lt(1, 1)) return ctx.reportParseError("invalid-trailing-comma-in-inline-table", nextToken);
					} else return ctx.reportParseError(nextToken ? "unexpected-token" : "unterminated-inline-table", nextToken);
				}
				if (isRightBrace(nextToken)) {
					applyEndLoc(inlineTableNode, nextToken);
					return valueContainer.set(inlineTableNode);
				}
				return ctx.reportParseError(nextToken ? "missing-comma" : "unterminated-inline-table", nextToken);
			}
		});
		ctx.needSameLine = "invalid-key-value-newline";
		return ["VALUE"];
	}
};
/**
* Check whether the given token is a dot.
*/
function isDot(token) {
	return isPunctuator(token) && token.value === ".";
}
/**
* Check whether the given token is an equal sign.
*/
function isEq(token) {
	return isPunctuator(token) && token.value === "=";
}
/**
* Check whether the given token is a left bracket.
*/
function isLeftBracket(token) {
	return isPunctuator(token) && token.value === "[";
}
/**
* Check whether the given token is a right bracket.
*/
function isRightBracket(token) {
	return isPunctuator(token) && token.value === "]";
}
/**
* Check whether the given token is a left brace.
*/
function isLeftBrace(token) {
	return isPunctuator(token) && token.value === "{";
}
/**
* Check whether the given token is a right brace.
*/
function isRightBrace(token) {
	return isPunctuator(token) && token.value === "}";
}
/**
* Check whether the given token is a comma.
*/
function isComma(token) {
	return isPunctuator(token) && token.value === ",";
}
/**
* Check whether the given token is a punctuator.
*/
function isPunctuator(token) {
	return Boolean(token && token.type === "Punctuator");
}
/**
* Check whether the given token is a bare token.
*/
function isBare(token) {
	return token.type === "Bare";
}
/**
* Check whether the given token is a string.
*/
function isString(token) {
	return token.type === "BasicString" || token.type === "LiteralString";
}
/**
* Check whether the given token is a multi-line string.
*/
function isMultiLineString(token) {
	return token.type === "MultiLineBasicString" || token.type === "MultiLineLiteralString";
}
/**
* Check whether the given token is a number.
*/
function isNumber(token) {
	return token.type === "Integer" || token.type === "Float";
}
/**
* Check whether the given token is a boolean.
*/
function isBoolean(token) {
	return token.type === "Boolean";
}
/**
* Check whether the given token is a date time.
*/
function isDateTime(token) {
	return token.type === "OffsetDateTime" || token.type === "LocalDateTime" || token.type === "LocalDate" || token.type === "LocalTime";
}
/**
* Apply end locations
*/
function applyEndLoc(node, child) {
	if (child) {
		node.range[1] = child.range[1];
		node.loc.end = clonePos(child.loc.end);
	}
}
/**
* clone the location.
*/
function cloneRange(range) {
	return [range[0], range[1]];
}
/**
* clone the location.
*/
function cloneLoc(loc) {
	return {
		start: clonePos(loc.start),
		end: clonePos(loc.end)
	};
}
/**
* clone the location.
*/
function clonePos(pos) {
	return {
		line: pos.line,
		column: pos.column
	};
}

//#endregion
//#region src/visitor-keys.ts
const tomlKeys = {
	Program: ["body"],
	TOMLTopLevelTable: ["body"],
	TOMLTable: ["key", "body"],
	TOMLKeyValue: ["key", "value"],
	TOMLKey: ["keys"],
	TOMLArray: ["elements"],
	TOMLInlineTable: ["body"],
	TOMLBare: [],
	TOMLQuoted: [],
	TOMLValue: []
};
const lib_KEYS = unionWith(tomlKeys);

//#endregion
//#region src/parser.ts
/**
* Parse source code
*/
function parseForESLint(code, options) {
	return {
		ast: new TOMLParser(code, options).parse(),
		visitorKeys: lib_KEYS,
		services: { isTOML: true }
	};
}

//#endregion
//#region src/traverse.ts
/**
* Check that the given key should be traversed or not.
* @this {Traversable}
* @param key The key to check.
* @returns `true` if the key should be traversed.
*/
function fallbackKeysFilter(key) {
	let value = null;
	return key !== "comments" && key !== "leadingComments" && key !== "loc" && key !== "parent" && key !== "range" && key !== "tokens" && key !== "trailingComments" && (value = this[key]) !== null && typeof value === "object" && (typeof value.type === "string" || Array.isArray(value));
}
/**
* Get the keys of the given node to traverse it.
* @param node The node to get.
* @returns The keys to traverse.
*/
function getFallbackKeys(node) {
	return Object.keys(node).filter(fallbackKeysFilter, node);
}
/**
* Get the keys of the given node to traverse it.
* @param node The node to get.
* @returns The keys to traverse.
*/
function lib_getKeys(node, visitorKeys) {
	return ((visitorKeys || lib_KEYS)[node.type] || getFallbackKeys(node)).filter((key) => !getNodes(node, key).next().done);
}
/**
* Get the nodes of the given node.
* @param node The node to get.
*/
function* getNodes(node, key) {
	const child = node[key];
	if (Array.isArray(child)) {
		for (const c of child) if (isNode(c)) yield c;
	} else if (isNode(child)) yield child;
}
/**
* Check whether a given value is a node.
* @param x The value to check.
* @returns `true` if the value is a node.
*/
function isNode(x) {
	return x !== null && typeof x === "object" && typeof x.type === "string";
}
/**
* Traverse the given node.
* @param node The node to traverse.
* @param parent The parent node.
* @param visitor The node visitor.
*/
function traverse(node, parent, visitor) {
	visitor.enterNode(node, parent);
	const keys = lib_getKeys(node, visitor.visitorKeys);
	for (const key of keys) for (const child of getNodes(node, key)) traverse(child, node, visitor);
	visitor.leaveNode(node, parent);
}
/**
* Traverse the given AST tree.
* @param node Root node to traverse.
* @param visitor Visitor.
*/
function traverseNodes(node, visitor) {
	traverse(node, null, visitor);
}

//#endregion
//#region src/utils.ts
/**
* Gets the static value for the given node.
*/
const getStaticTOMLValue = generateConvertTOMLValue((node) => node.value);
/** Generates a converter to convert from a node. */
function generateConvertTOMLValue(convertValue) {
	/**
	* Resolve TOML value
	*/
	function resolveValue(node, baseTable) {
		return resolver[node.type](node, baseTable);
	}
	const resolver = {
		Program(node, baseTable = {}) {
			return resolveValue(node.body[0], baseTable);
		},
		TOMLTopLevelTable(node, baseTable = {}) {
			for (const body of node.body) resolveValue(body, baseTable);
			return baseTable;
		},
		TOMLKeyValue(node, baseTable = {}) {
			const value = resolveValue(node.value);
			set(baseTable, resolveValue(node.key), value);
			return baseTable;
		},
		TOMLTable(node, baseTable = {}) {
			const table = getTable(baseTable, resolveValue(node.key), node.kind === "array");
			for (const body of node.body) resolveValue(body, table);
			return baseTable;
		},
		TOMLArray(node) {
			return node.elements.map((e) => resolveValue(e));
		},
		TOMLInlineTable(node) {
			const table = {};
			for (const body of node.body) resolveValue(body, table);
			return table;
		},
		TOMLKey(node) {
			return node.keys.map((key) => resolveValue(key));
		},
		TOMLBare(node) {
			return node.name;
		},
		TOMLQuoted(node) {
			return node.value;
		},
		TOMLValue(node) {
			return convertValue(node);
		}
	};
	return (node) => resolveValue(node);
}
/**
* Get the table from the table.
*/
function getTable(baseTable, keys, array) {
	let target = baseTable;
	for (let index = 0; index < keys.length - 1; index++) {
		const key = keys[index];
		target = getNextTargetFromKey(target, key);
	}
	const lastKey = last(keys);
	const lastTarget = target[lastKey];
	if (lastTarget == null) {
		const tableValue$1 = {};
		target[lastKey] = array ? [tableValue$1] : tableValue$1;
		return tableValue$1;
	}
	if (isValue(lastTarget)) {
		const tableValue$1 = {};
		target[lastKey] = array ? [tableValue$1] : tableValue$1;
		return tableValue$1;
	}
	if (!array) {
		if (Array.isArray(lastTarget)) {
			const tableValue$1 = {};
			target[lastKey] = tableValue$1;
			return tableValue$1;
		}
		return lastTarget;
	}
	if (Array.isArray(lastTarget)) {
		const tableValue$1 = {};
		lastTarget.push(tableValue$1);
		return tableValue$1;
	}
	const tableValue = {};
	target[lastKey] = [tableValue];
	return tableValue;
	/** Get next target from key */
	function getNextTargetFromKey(currTarget, key) {
		const nextTarget = currTarget[key];
		if (nextTarget == null) {
			const val = {};
			currTarget[key] = val;
			return val;
		}
		if (isValue(nextTarget)) {
			const val = {};
			currTarget[key] = val;
			return val;
		}
		let resultTarget = nextTarget;
		while (Array.isArray(resultTarget)) {
			const lastIndex = resultTarget.length - 1;
			const nextElement = resultTarget[lastIndex];
			if (isValue(nextElement)) {
				const val = {};
				resultTarget[lastIndex] = val;
				return val;
			}
			resultTarget = nextElement;
		}
		return resultTarget;
	}
}
/**
* Set the value to the table.
*/
function set(baseTable, keys, value) {
	let target = baseTable;
	for (let index = 0; index < keys.length - 1; index++) {
		const key = keys[index];
		const nextTarget = target[key];
		if (nextTarget == null) {
			const val = {};
			target[key] = val;
			target = val;
		} else if (isValue(nextTarget) || Array.isArray(nextTarget)) {
			const val = {};
			target[key] = val;
			target = val;
		} else target = nextTarget;
	}
	target[last(keys)] = value;
}
/**
* Check whether the given value is a value.
*/
function isValue(value) {
	return typeof value !== "object" || value instanceof Date;
}

//#endregion
//#region package.json
var name$1 = "toml-eslint-parser";
var version$1 = "1.0.3";

//#endregion
//#region src/meta.ts
var meta_exports = /* @__PURE__ */ __exportAll({
	name: () => lib_name,
	version: () => version
});
const lib_name = name$1;
const version = version$1;

//#endregion
//#region src/index.ts
const VisitorKeys = (/* unused pure expression or super */ null && (lib_KEYS));
/**
* Parse TOML source code
*/
function parseTOML(code, options) {
	return parseForESLint(code, options).ast;
}

//#endregion

;// CONCATENATED MODULE: ./src/pip/toml-lines.ts

class TomlSyntaxError extends Error {
    line;
    constructor(message, line) {
        super(message);
        this.line = line;
    }
}
function newNode() {
    return { children: new Map() };
}
/** The child for one part, created when missing; the first place a path is named keeps its line. */
function child(node, part, line) {
    let next = node.children.get(part);
    if (!next)
        node.children.set(part, (next = newNode()));
    if (line !== undefined)
        next.line ??= line;
    return next;
}
function keyNames(key) {
    return key.keys.map(k => (k.type === 'TOMLBare' ? k.name : k.value));
}
/** Records the first line of every key and item under `at`. */
function collect(node, at, root) {
    switch (node.type) {
        case 'TOMLTopLevelTable':
            for (const item of node.body)
                collect(item, root, root);
            return;
        case 'TOMLTable': {
            let table = root;
            for (const part of node.resolvedKey)
                table = child(table, part);
            table.line ??= node.loc.start.line;
            for (const item of node.body)
                collect(item, table, root);
            return;
        }
        case 'TOMLKeyValue': {
            // Every dotted prefix is named here too (`a.b.c = 1` defines a and a.b).
            let value = at;
            for (const name of keyNames(node.key))
                value = child(value, name, node.loc.start.line);
            collect(node.value, value, root);
            return;
        }
        case 'TOMLInlineTable':
            for (const item of node.body)
                collect(item, at, root);
            return;
        case 'TOMLArray':
            node.elements.forEach((element, i) => {
                collect(element, child(at, i, element.loc.start.line), root);
            });
            return;
        default:
            return;
    }
}
function lineAt(root, path) {
    let node = root;
    for (const part of path)
        node = node?.children.get(part);
    return node?.line;
}
/** Parses TOML; a syntax error is a TomlSyntaxError with its line. */
function readToml(text) {
    let ast;
    try {
        ast = parseTOML(text);
    }
    catch (error) {
        const e = error;
        // An unterminated table or array is reported where the text ends: point at the last line written.
        const lines = text.split(/\r?\n/);
        let line = e.lineNumber ?? 1;
        while (line > 1 && (lines[line - 1] ?? '').trim() === '')
            line--;
        throw new TomlSyntaxError(e.message, line);
    }
    const root = newNode();
    collect(ast.body[0], root, root);
    return {
        value: getStaticTOMLValue(ast),
        lineOf: path => lineAt(root, path)
    };
}
/** A TOML file pip reads (UTF-8), or its syntax error as a problem on its line. */
function readTomlFile(file, bytes) {
    try {
        return readToml(bytes.toString('utf8'));
    }
    catch (error) {
        if (!(error instanceof TomlSyntaxError))
            throw error;
        return {
            kind: 'invalid-requirement',
            file,
            line: error.line,
            message: `${file} is not valid TOML: ${error.message}`
        };
    }
}
/** `packages[2].wheels[0].hashes` as pip prints a path, as a TomlPath. */
function parseTomlPath(text) {
    const path = [];
    for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
        path.push(m[2] === undefined ? m[1] : Number(m[2]));
    }
    return path;
}
/** The line of the deepest part of a path that is written in the file (a missing key's table). */
function nearestLine(doc, path) {
    for (let n = path.length; n > 0; n--) {
        const line = doc.lineOf(path.slice(0, n));
        if (line !== undefined)
            return line;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/pip/dependency-groups.ts





/**
 * `NAME` or `PATH:NAME` as pip's `--group` takes it: split at the last `:` (a group name has none),
 * the path's file named pyproject.toml. An error message when it is not.
 */
function parseGroupSpec(word, cwd) {
    const colon = word.lastIndexOf(':');
    const group = word.slice(colon + 1);
    const file = colon === -1 ? 'pyproject.toml' : word.slice(0, colon);
    if (external_node_path_.basename(file) !== 'pyproject.toml') {
        return `the file of a group must be a pyproject.toml (write path/to/pyproject.toml:${group || 'GROUP'}).`;
    }
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(group)) {
        return `"${group}" is not a dependency group name (letters, digits, and . _ - between them).`;
    }
    return { pyproject: external_node_path_.resolve(cwd, file), group };
}
/** The `--group` argument for a spec, relative to where pip runs. */
function groupArgument(spec, cwd) {
    const file = external_node_path_.relative(cwd, spec.pyproject) || 'pyproject.toml';
    return file === 'pyproject.toml' ? spec.group : `${file}:${spec.group}`;
}
function describe(value) {
    return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}
/** pyproject.toml's [dependency-groups] table, or the problem that keeps pip from reading it. */
function readTable(file, bytes) {
    const doc = readTomlFile(file, bytes);
    if (!('value' in doc))
        return doc;
    const table = doc.value['dependency-groups'];
    if (table === undefined) {
        return {
            kind: 'invalid-requirement',
            file,
            line: 1,
            message: `${file} has no [dependency-groups] table; add one with the groups to install`
        };
    }
    if (typeof table !== 'object' || table === null || Array.isArray(table)) {
        return {
            kind: 'invalid-requirement',
            file,
            line: doc.lineOf(['dependency-groups']) ?? 1,
            message: 'dependency-groups must be a table of group names and lists of requirements'
        };
    }
    const names = new Map();
    for (const key of Object.keys(table)) {
        const earlier = names.get(normalizeName(key));
        if (earlier !== undefined) {
            return {
                kind: 'invalid-requirement',
                file,
                line: doc.lineOf(['dependency-groups', key]) ?? 1,
                message: `the groups "${earlier}" and "${key}" have the same name once normalized (PEP 735); rename or merge one`
            };
        }
        names.set(normalizeName(key), key);
    }
    return { file, doc, names };
}
/**
 * Includes followed inside one another, at most. pip follows them by recursion and stops with a
 * RecursionError near 1,000; no real project nests 50.
 */
const MAX_GROUP_DEPTH = 200;
/**
 * Follows one requested group through its includes, in pip's order (a group included twice
 * brings its requirements twice, as in pip); the first problem ends the group.
 */
function resolveGroup(table, requested, result) {
    const groups = table.doc.value['dependency-groups'];
    const problem = (at, message) => {
        const line = table.doc.lineOf(['dependency-groups', ...at]) ?? 1;
        result.problems.push({ kind: 'invalid-requirement', file: table.file, line, message });
        return undefined;
    };
    const resolved = new Map();
    const visit = (name, stack, from) => {
        const normalized = normalizeName(name);
        const key = table.names.get(normalized);
        if (key === undefined) {
            const known = [...table.names.values()].join(', ') || 'none';
            return problem(from ?? [], `${from ? 'the included ' : ''}dependency group "${name}" does not exist in ${external_node_path_.basename(table.file)} (groups: ${known})`);
        }
        if (stack.includes(normalized)) {
            const names = [...stack.slice(stack.indexOf(normalized)), normalized].map(n => table.names.get(n) ?? n);
            return problem(from ?? [key], `include-group cycle: ${names.join(' -> ')}; remove one of the includes`);
        }
        const known = resolved.get(normalized);
        if (known)
            return known;
        const items = groups[key];
        if (!Array.isArray(items)) {
            return problem([key], `dependency group "${key}" must be a list of requirements, not ${describe(items)}`);
        }
        const entries = [];
        for (const [i, item] of items.entries()) {
            if (typeof item === 'string') {
                const parsed = parsePep508(item);
                if ('error' in parsed) {
                    return problem([key, i], `"${item}" is not a valid requirement (PEP 508): ${parsed.error}`);
                }
                entries.push({
                    file: table.file,
                    line: table.doc.lineOf(['dependency-groups', key, i]) ?? 1,
                    kind: 'requirement',
                    text: item,
                    name: normalizeName(parsed.name),
                    ...(parsed.marker ? { marker: parsed.marker } : {}),
                    constraint: false
                });
                continue;
            }
            const include = includeOf(item);
            if (include === undefined) {
                return problem([key, i], `${describe(item)} in group "${key}" is neither a requirement string nor {include-group = "NAME"}`);
            }
            if (stack.length >= MAX_GROUP_DEPTH) {
                return problem([key, i], `include-group chains nested deeper than ${MAX_GROUP_DEPTH} groups are not followed; flatten the groups`);
            }
            const included = visit(include, [...stack, normalized], [key, i]);
            if (!included)
                return undefined;
            entries.push(...included);
        }
        resolved.set(normalized, entries);
        return entries;
    };
    result.entries.push(...(visit(requested, []) ?? []));
}
/** The group an `{include-group = "NAME"}` item names; undefined for anything else. */
function includeOf(item) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
        return undefined;
    const keys = Object.keys(item);
    const include = item['include-group'];
    return keys.length === 1 && typeof include === 'string' ? include : undefined;
}
/** Reads the groups asked for, each pyproject.toml once. */
function readDependencyGroups(specs, read = file => external_node_fs_.readFileSync(file)) {
    const result = { files: [], entries: [], problems: [] };
    const tables = new Map();
    for (const spec of specs) {
        if (!tables.has(spec.pyproject)) {
            const table = readTable(spec.pyproject, read(spec.pyproject));
            result.files.push(spec.pyproject);
            if ('doc' in table)
                tables.set(spec.pyproject, table);
            else {
                tables.set(spec.pyproject, undefined);
                result.problems.push(table);
            }
        }
        const table = tables.get(spec.pyproject);
        if (table)
            resolveGroup(table, spec.group, result);
    }
    return result;
}

;// CONCATENATED MODULE: ./src/pip/requirements-file.ts

// A requirements file's bytes as pip decodes them (a BOM, else UTF-8, else the locale's encoding),
// and the guard that refuses what is no requirements file before it is read whole.
function tryDecode(bytes, encoding) {
    try {
        return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
    }
    catch {
        return undefined;
    }
}
/** UTF-32, strict as Python's codec (Node's TextDecoder has no UTF-32). */
function decodeUtf32(bytes, littleEndian) {
    if (bytes.length % 4 !== 0)
        return undefined;
    const chars = [];
    for (let i = 0; i < bytes.length; i += 4) {
        const code = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
            return undefined;
        chars.push(String.fromCodePoint(code));
    }
    return chars.join('');
}
const startsWith = (bytes, prefix) => prefix.every((b, i) => bytes[i] === b);
/**
 * Python's "utf-16" and "utf-32" codecs, which pip applies after a little-endian BOM: one more
 * BOM right after it is consumed too, and its byte order wins.
 */
function decodeWithBom(bytes, width, decode) {
    const le = width === 2 ? [0xff, 0xfe] : [0xff, 0xfe, 0, 0];
    const be = width === 2 ? [0xfe, 0xff] : [0, 0, 0xfe, 0xff];
    if (startsWith(bytes, le))
        return decode(bytes.subarray(width), true);
    if (startsWith(bytes, be))
        return decode(bytes.subarray(width), false);
    return decode(bytes, true);
}
const utf16 = (data, littleEndian) => tryDecode(data, littleEndian ? 'utf-16le' : 'utf-16be');
/**
 * The BOMs of pip 25 and later, in its order: UTF-32's before UTF-16's, whose little-endian BOM
 * begins UTF-32's (older pips, the other way round, garbled UTF-32-LE files).
 */
const BOMS = [
    [[0xef, 0xbb, 0xbf], data => tryDecode(data, 'utf-8')],
    [[0xff, 0xfe, 0, 0], data => decodeWithBom(data, 4, decodeUtf32)],
    [[0, 0, 0xfe, 0xff], data => decodeUtf32(data, false)],
    [[0xff, 0xfe], data => decodeWithBom(data, 2, utf16)],
    [[0xfe, 0xff], data => utf16(data, false)]
];
/** Python's names of Latin-1, which the WHATWG decoder would read as Windows-1252 instead. */
const LATIN_1 = /^(latin[-_]?1|latin|l1|iso[-_]?8859[-_]1|8859|cp819|ibm819|iso[-_]ir[-_]100|csisolatin1)$/i;
/**
 * pip's decoding of a requirements file: a BOM, else a PEP 263 `coding:` comment in the first two
 * lines, else UTF-8 and then the locale's encoding (pip 25 on; older pips go straight to the
 * locale's, the same on Linux and macOS). An encoding Node does not know is pip's to judge: read
 * it as Latin-1, which never fails and keeps the ASCII structure.
 */
function decodeRequirements(bytes, fallback) {
    for (const [bom, decode] of BOMS) {
        if (startsWith(bytes, bom))
            return decode(bytes.subarray(bom.length));
    }
    for (const line of bytes.toString('latin1').split('\n').slice(0, 2)) {
        // pip's pattern is a bytes one: ASCII whitespace only.
        const declared = /coding[:=][ \t\n\r\f\v]*([-\w.]+)/.exec(line);
        if (line.startsWith('#') && declared) {
            const encoding = declared[1];
            let known = true;
            try {
                new TextDecoder(encoding);
            }
            catch {
                known = false;
            }
            return known && !LATIN_1.test(encoding)
                ? tryDecode(bytes, encoding)
                : bytes.toString('latin1');
        }
    }
    return tryDecode(bytes, 'utf-8') ?? tryDecode(bytes, fallback);
}
/** pip reads a requirements file whole: a larger one is no list of requirements. */
const MAX_REQUIREMENTS_BYTES = 32 * 1024 * 1024;
/**
 * Why a file cannot be a requirements file, checked before it is opened: only a regular file of a
 * sane size is read, so that `-r /dev/zero`, a FIFO or a huge file cannot hang the step.
 */
function requirementsFileProblem(file) {
    let stat;
    try {
        stat = external_node_fs_.statSync(file);
    }
    catch (error) {
        const code = error.code;
        return code === 'ENOENT' || code === 'ENOTDIR'
            ? { kind: 'missing', message: 'does not exist' }
            : { kind: 'unreadable', message: `cannot be read (${code ?? String(error)})` };
    }
    if (stat.isDirectory())
        return { kind: 'directory', message: 'is a directory' };
    if (!stat.isFile()) {
        return {
            kind: 'special',
            message: 'is not a regular file (a device, FIFO or socket can block or never end)'
        };
    }
    if (stat.size > MAX_REQUIREMENTS_BYTES) {
        return {
            kind: 'too-large',
            message: `is larger than ${MAX_REQUIREMENTS_BYTES / 1024 / 1024} MiB, more than any list of requirements`
        };
    }
    return undefined;
}
/** What readRequirementsFile throws for a file it refuses to open, with the reason. */
class FileProblemError extends Error {
    problem;
    constructor(problem) {
        super(problem.message);
        this.problem = problem;
        this.name = 'FileProblemError';
    }
}
/** Reads a requirements file after requirementsFileProblem found nothing wrong with it. */
function readRequirementsFile(file) {
    const problem = requirementsFileProblem(file);
    if (problem)
        throw new FileProblemError(problem);
    return external_node_fs_.readFileSync(file);
}

// EXTERNAL MODULE: ./src/platform/os.ts
var platform_os = __nccwpck_require__(1597);
;// CONCATENATED MODULE: ./src/platform/words.ts
/**
 * Splits a string into words the way a POSIX shell splits them: at blanks, tabs and line breaks
 * only, with quotes and backslash escapes, and nothing more: no expansion, no operators.
 * `; rm -rf ~` stays three literal words. With `shlex`, as Python's shlex.split (pip's for option
 * lines in requirement files): in double quotes a backslash escapes only `"` and itself, and a
 * backslash at the end is an error.
 */
function splitWords(text, { shlex = false } = {}) {
    const escapedInQuotes = shlex ? '"\\' : '"\\$`';
    const words = [];
    let word = '';
    let inWord = false;
    let quote;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quote === "'") {
            if (ch === "'")
                quote = undefined;
            else
                word += ch;
        }
        else if (quote === '"') {
            if (ch === '"')
                quote = undefined;
            else if (ch === '\\' && i + 1 < text.length && escapedInQuotes.includes(text[i + 1]))
                word += text[++i];
            else
                word += ch;
        }
        else if (ch === "'" || ch === '"') {
            quote = ch;
            inWord = true;
        }
        else if (ch === '\\' && i + 1 < text.length) {
            word += text[++i];
            inWord = true;
        }
        else if (ch === '\\' && shlex) {
            throw new Error('a backslash with nothing to escape');
        }
        else if (' \t\r\n'.includes(ch)) {
            if (inWord)
                words.push(word);
            word = '';
            inWord = false;
        }
        else {
            word += ch;
            inWord = true;
        }
    }
    if (quote)
        throw new Error(`unterminated ${quote} quote`);
    if (inWord)
        words.push(word);
    return words;
}
/** Non-empty, trimmed lines; `#` starts a comment only at the beginning of a line. */
function inputLines(text) {
    return text
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => line !== '' && !line.startsWith('#'));
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/error.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
function getLineColFromPtr(string, ptr) {
    let lines = string.slice(0, ptr).split(/\r?\n/);
    return [lines.length, lines.pop().length + 1];
}
function makeCodeBlock(string, line, column) {
    let lines = string.split(/\r?\n/);
    let codeblock = '';
    let numberLen = (Math.log10(line + 1) | 0) + 1;
    for (let i = line - 1; i <= line + 1; i++) {
        let l = lines[i - 1];
        if (!l)
            continue;
        codeblock += i.toString().padEnd(numberLen, ' ');
        codeblock += ':  ';
        codeblock += l;
        codeblock += '\n';
        if (i === line) {
            codeblock += ' '.repeat(numberLen + column + 2);
            codeblock += '^\n';
        }
    }
    return codeblock;
}
class TomlError extends Error {
    line;
    column;
    codeblock;
    constructor(message, options) {
        const [line, column] = getLineColFromPtr(options.toml, options.ptr);
        const codeblock = makeCodeBlock(options.toml, line, column);
        super(`Invalid TOML document: ${message}\n\n${codeblock}`, options);
        this.line = line;
        this.column = column;
        this.codeblock = codeblock;
    }
    /** @internal */
    static x(message, ctx, ptr) {
        throw new TomlError(message, { toml: ctx.s, ptr: ptr ?? ctx.p });
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/primitive.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/** @internal */
function parseString(ctx) {
    let startPtr = ctx.p;
    let c = ctx.s.charCodeAt(ctx.p++);
    let first = c;
    let isLiteral = c === 0x27; /* ' */
    let isMultiline = c === ctx.s.charCodeAt(ctx.p) && c === ctx.s.charCodeAt(ctx.p + 1);
    if (isMultiline) {
        // Trim initial newline
        if ((c = ctx.s.charCodeAt(ctx.p += 2)) === 0xa /* \n */)
            ctx.p++;
        else if (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */)
            ctx.p += 2;
    }
    // For the record: it is not worth it to use a fast-path for literal strings using `indexOf`.
    // Doing a char-by-char iteration ends up dispatching less instructions, for the same wall-clock runtime.
    let parsed = '';
    let sliceStart = ctx.p;
    // states:
    //   0 - decoding
    //   1 - decoding escape
    //   2 - whitespace escape (no newline encountered yet, must fail on non-whitespace)
    //   3 - whitespace escape (newline encountered, allowed to transition back to normal decode)
    let state = 0;
    for (; ctx.p < ctx.s.length; ctx.p++) {
        c = ctx.s.charCodeAt(ctx.p);
        // Deal with newlines first, since that simplifies control character checking and handling across all states
        if (isMultiline && (c === 0xa /* \n */ || (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */))) {
            state = state && 3;
        }
        // Control characters are banned in TOML, so we throw an error if we encounter them
        else if ((c < 0x20 && c !== 0x9 /* \t */) || c === 0x7f) {
            TomlError.x('control characters are not allowed in strings', ctx);
        }
        // The string might terminate while we're parsing through a newline escape.
        // It must have encountered a newline; otherwise, it'll simply fail in another branch.
        else if ((!state || state === 3) && c === first && (!isMultiline || (ctx.s.charCodeAt(ctx.p + 1) === first && ctx.s.charCodeAt(ctx.p + 2) === first))) {
            if (isMultiline) {
                // If the string ends with 4-5 quotes, then the first 1-2 are part of the string
                if (ctx.s.charCodeAt(ctx.p + 3) === first)
                    ctx.p++;
                if (ctx.s.charCodeAt(ctx.p + 3) === first)
                    ctx.p++;
            }
            // If we're in a newline escape still, then there's nothing to add.
            if (!state) {
                // Avoid a useless concat operation if the string can be used as-is.
                let s = ctx.s.slice(sliceStart, ctx.p);
                parsed = parsed ? parsed + s : s;
            }
            ctx.p += isMultiline ? 3 : 1;
            return parsed;
        }
        // Baseline state; keep moving forward unless an escape sequence starts
        else if (!state) {
            if (!isLiteral && c === 0x5c /* \ */) {
                parsed += ctx.s.slice(sliceStart, (sliceStart = ctx.p));
                state = 1;
            }
        }
        else if (state === 1) {
            if (c === 0x78 /* x */ || c === 0x75 /* u */ || c === 0x55 /* U */) { // Unicode escape
                let errPtr = ctx.p++ - 1;
                let value = 0;
                let len = c === 0x78 /* x */ ? 2 : c === 0x75 /* u */ ? 4 : 8;
                for (let j = 0; j < len; j++, ctx.p++) {
                    let hex = ctx.s.charCodeAt(ctx.p);
                    let digit = 
                    /* 0-9 */ hex >= 0x30 && hex <= 0x39 ? hex - 0x30 :
                        /* A-F */ hex >= 0x41 && hex <= 0x46 ? hex - 0x41 + 10 :
                            /* a-f */ hex >= 0x61 && hex <= 0x66 ? hex - 0x61 + 10 : -1;
                    if (digit < 0)
                        TomlError.x('invalid non-hex character in unicode escape', ctx);
                    value = (value << 4) | digit;
                }
                // Because JS does bitwise on signed 32bit integers, all 0xfzzzzzzz values are actually seen as negative
                if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
                    TomlError.x('invalid unicode escape', ctx, errPtr);
                }
                parsed += String.fromCodePoint(value);
                sliceStart = ctx.p--;
                state = 0;
            }
            // Newline escape sequence. We only need to care about spaces and tabs; newlines are dealt with earlier
            else if (isMultiline && (c === 0x20 || c === 0x9 /* \t */)) {
                state = 2;
            }
            // Basic escape sequence
            else {
                if (c === 0x62 /* b */)
                    parsed += '\b';
                else if (c === 0x74 /* t */)
                    parsed += '\t';
                else if (c === 0x6e /* n */)
                    parsed += '\n';
                else if (c === 0x66 /* f */)
                    parsed += '\f';
                else if (c === 0x72 /* r */)
                    parsed += '\r';
                else if (c === 0x65 /* e */)
                    parsed += '\x1b';
                else if (c === 0x22 /* " */)
                    parsed += '"';
                else if (c === 0x5c /* \ */)
                    parsed += '\\';
                else
                    TomlError.x('unrecognised escape sequence', ctx);
                sliceStart = ctx.p + 1;
                state = 0;
            }
        }
        // Newline escape continuation: keep moving forward until the first non-whitespace char
        else if (c !== 0x20 && c !== 0x9 /* \t */) {
            if (state === 2)
                TomlError.x('invalid escape: only line-ending whitespace may be escaped', ctx, sliceStart);
            // State cannot be zero, or we'd have branched earlier already.
            // If it's a backslash, immediately transition to the escape state so it can be processed.
            state = !isLiteral && c === 0x5c /* \ */ ? 1 : 0;
            sliceStart = ctx.p;
        }
    }
    TomlError.x('unfinished string', ctx, startPtr);
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/date.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
let DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})?[Tt ]?(?:(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|z|[-+]\d{2}:\d{2})?$/i;
class TomlDate extends Date {
    #hasDate = false;
    #hasTime = false;
    #offset = null;
    constructor(date, fasttype, unsafeDelim) {
        let hasDate = true;
        let hasTime = true;
        let offset = 'Z';
        let c;
        if (typeof date === 'string') {
            if (fasttype)
                prep: {
                    // Date-time
                    if (fasttype < 3) {
                        if (+date.slice(11, 13) > 23) {
                            date = '';
                            break prep;
                        }
                        // Local
                        if (fasttype === 2) {
                            offset = null;
                            date += 'Z';
                        }
                        // Offset; keep track of offset if not Z
                        else if ((c = date.charCodeAt(date.length - 1)) !== 0x5a /* Z */ && c !== 0x7a /* z */) {
                            offset = date.slice(date.length - 6);
                        }
                        if (unsafeDelim)
                            date = date.slice(0, 10) + 'T' + date.slice(11);
                    }
                    // Time
                    else if (fasttype === 4) {
                        date = +date.slice(0, 2) > 23 ? '' : `0000-01-01T${date}Z`;
                    }
                    hasDate = fasttype !== 4;
                    hasTime = fasttype !== 3;
                }
            else {
                let match = date.match(DATE_TIME_RE);
                if (match) {
                    if (!match[1]) {
                        hasDate = false;
                        date = `0000-01-01T${date}`;
                    }
                    hasTime = !!match[2];
                    // Make sure to use T instead of a space. Breaks in case of extreme values otherwise.
                    hasTime && date[10] === ' ' && (date = date.replace(' ', 'T'));
                    // Do not allow rollover hours.
                    if (match[2] && +match[2] > 23) {
                        date = '';
                    }
                    else {
                        offset = match[3] || null;
                        if (!offset && hasTime)
                            date += 'Z';
                    }
                }
                else {
                    date = '';
                }
            }
        }
        super(date);
        if (!isNaN(this.getTime())) {
            this.#hasDate = hasDate;
            this.#hasTime = hasTime;
            this.#offset = offset;
        }
    }
    isDateTime() {
        return this.#hasDate && this.#hasTime;
    }
    isLocal() {
        return !this.#hasDate || !this.#hasTime || !this.#offset;
    }
    isDate() {
        return this.#hasDate && !this.#hasTime;
    }
    isTime() {
        return this.#hasTime && !this.#hasDate;
    }
    isValid() {
        return this.#hasDate || this.#hasTime;
    }
    toISOString() {
        let iso = super.toISOString();
        // Local Date
        if (this.isDate())
            return iso.slice(0, 10);
        // Local Time
        if (this.isTime())
            return iso.slice(11, 23);
        // Local DateTime
        if (this.#offset === null)
            return iso.slice(0, -1);
        // Offset DateTime
        if (this.#offset === 'Z' || this.#offset === 'z')
            return iso;
        // This part is quite annoying: JS strips the original timezone from the ISO string representation
        // Instead of using a "modified" date and "Z", we restore the representation "as authored"
        let offset = (+(this.#offset.slice(1, 3)) * 60) + +(this.#offset.slice(4, 6));
        offset = this.#offset[0] === '-' ? offset : -offset;
        let offsetDate = new Date(this.getTime() - (offset * 60e3));
        return offsetDate.toISOString().slice(0, -1) + this.#offset;
    }
    static wrapAsOffsetDateTime(jsDate, offset = 'Z') {
        let date = new TomlDate(jsDate);
        date.#offset = offset;
        return date;
    }
    static wrapAsLocalDateTime(jsDate) {
        let date = new TomlDate(jsDate);
        date.#offset = null;
        return date;
    }
    static wrapAsLocalDate(jsDate) {
        let date = new TomlDate(jsDate);
        date.#hasTime = false;
        date.#offset = null;
        return date;
    }
    static wrapAsLocalTime(jsDate) {
        let date = new TomlDate(jsDate);
        date.#hasDate = false;
        date.#offset = null;
        return date;
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/extract.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




function extract_isDigit(char, base = 10) {
    return base === 16
        ? (char > 0x2f && char < 0x3a) || (char > 0x40 && char < 0x47) || (char > 0x60 && char < 0x67)
        : (char > 0x2f && char < 0x30 + base);
}
function isEndOfValue(char, delim) {
    // Whitespace -- we're permissive on `\r` for performance; it'll be dealt with later anyway
    return char === 0x20 || char === 0x9 /* \t */ || char === 0xa /* \n */ || char === 0xd /* \r */ ||
        // Structure end or next value delimiter
        (delim && (char === delim || char === 0x2c /* , */)) ||
        // Comment
        char === 0x23; /* # */
}
/** @internal */
function extractValue(ctx, end) {
    let errPtr = ctx.p;
    let c = ctx.s.charCodeAt(ctx.p);
    // Structs
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
        ctx.d-- || TomlError.x('document contains excessively nested structures. aborting.', ctx);
        let value = c === 0x5b /* [ */
            ? parseArray(ctx)
            : parseInlineTable(ctx);
        ctx.d++;
        return value;
    }
    // Strings
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
        return parseString(ctx);
    }
    // Booleans
    // We can fast-path because the first character is enough to know the only possible value
    if (c === 0x74 /* t */) { // Only possible valid value is `true`
        if (ctx.s.charCodeAt(++ctx.p) !== 0x72 || ctx.s.charCodeAt(++ctx.p) !== 0x75 || ctx.s.charCodeAt(++ctx.p) !== 0x65)
            TomlError.x('invalid value', ctx, errPtr);
        return ctx.p++, true;
    }
    if (c === 0x66 /* f */) { // Only possible valid value is `false`
        if (ctx.s.charCodeAt(++ctx.p) !== 0x61 || ctx.s.charCodeAt(++ctx.p) !== 0x6c || ctx.s.charCodeAt(++ctx.p) !== 0x73 || ctx.s.charCodeAt(++ctx.p) !== 0x65)
            TomlError.x('invalid value', ctx, errPtr);
        return ctx.p++, false;
    }
    if (c === 0x2b /* + */ || c === 0x2d /* - */) {
        return parseNumber(ctx, ctx.p, ctx.s.charCodeAt(++ctx.p), 0x2c - c, end);
    }
    // Rough heuristic, but `parseDate` falls back to number parsing if it's a false positive.
    // e.g.: `a = 1\n-------------- = 1` would match this heuristic, but gracefully fallback to numbers.
    if (ctx.s.charCodeAt(ctx.p + 4) === 0x2d /* - */ && ctx.s.charCodeAt(ctx.p + 7) === 0x2d /* - */) {
        return parseDate(ctx, c, end);
    }
    // Same logic as above; `parseTime` falls back to number parsing if it's a false positive.
    if (ctx.s.charCodeAt(ctx.p + 2) === 0x3a /* : */) {
        return parseTime(ctx, c, end);
    }
    return parseNumber(ctx, ctx.p, c, 0, end);
}
// State:
// 0: init
// 1: integer
// 2: fractional dot
// 3: fractional
// 4: exponent letter
// 5: exponent
// 6: exponent sign
// 7: exponent with sign
// >9: underscore; see below
//     -> 12: was integer
//     -> 14: was fractional
//     -> 16: was exponent
// states 2-5, 14, 16 are ONLY permitted iif base === 10
function parseNumber(ctx, startPtr, startChr, sign, endChr) {
    let c = startChr;
    let state = 0;
    let hasUnderscores = false;
    // (+/-)inf
    if (c === 0x69 /* i */) {
        if (ctx.s.charCodeAt(++ctx.p) !== 0x6e || ctx.s.charCodeAt(++ctx.p) !== 0x66)
            TomlError.x('invalid value', ctx, startPtr);
        return ctx.p++, (sign || 1) / 0;
    }
    // (+/-)nan
    if (c === 0x6e /* n */) {
        if (ctx.s.charCodeAt(++ctx.p) !== 0x61 || ctx.s.charCodeAt(++ctx.p) !== 0x6e)
            TomlError.x('invalid value', ctx, startPtr);
        return ctx.p++, NaN;
    }
    // Leading zero
    // Only allowed cases: `0<EOV>`, `0.(...)`, `0e(...)`, `0x(...)`, `0b(...)`, `0o(...)`
    // FWIW, `0e(...)` is a stupid case, but it's not banned per-se so we have to parse it
    if (c === 0x30 /* 0 */) {
        if (++ctx.p >= ctx.s.length || isEndOfValue(c = ctx.s.charCodeAt(ctx.p), endChr))
            return ctx.bi === true ? 0n : 0; // note: conveniently deals with `-0`
        if (!sign) {
            if (c === 0x78 /* x */)
                return parseIntegerBaseN(ctx, startPtr, 16, endChr);
            else if (c === 0x62 /* b */)
                return parseIntegerBaseN(ctx, startPtr, 2, endChr);
            else if (c === 0x6f /* o */)
                return parseIntegerBaseN(ctx, startPtr, 8, endChr);
        }
        if (c === 0x2e /* . */)
            state = 2;
        else if (c === 0x65 /* e */ || c === 0x45 /* E */)
            state = 4;
        else
            TomlError.x('illegal leading zero', ctx, startPtr);
    }
    // If the 1st char is not a digit by now, then it's not a valid TOML value at all
    else if (!extract_isDigit(c))
        TomlError.x('invalid value', ctx, startPtr);
    while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
        if (!state)
            state = 1; // Detects single-digit numbers we can use a fast parse path for
        // The way the states are numbered is not random: underscores are always permitted in odd-numbered states and
        // never permitted in even-numbered ones.
        if (c === 0x5f /* _ */) {
            if (!(state & 1))
                TomlError.x('illegal underscore', ctx);
            state += 11; // 11 is a marker that makes the state even and greater than 9; see the numbering + rationale above
            hasUnderscores = true;
        }
        // Transition to fractional part.
        else if (state === 1 && c === 0x2e /* . */)
            state = 2;
        // Transition to exponent part.
        else if ((state === 1 || state === 3) && (c === 0x65 /* e */ || c === 0x45 /* E */))
            state = 4;
        // + and - are permitted in state 4 only (handled before entering the function for state 0)
        else if (state === 4 && (c === 0x2b /* + */ || c === 0x2d /* - */)) {
            state = 6;
        }
        // All special cases have been handled; only digits are allowed here
        else if (!extract_isDigit(c))
            TomlError.x(`illegal character in numeric literal`, ctx);
        // Clear state flags
        else if (state > 9)
            state -= 11;
        else if (!(state & 1))
            state++;
    }
    // Single-char number; we can fast-path these very easily.
    if (!state) {
        let val = (startChr - 0x30 /* 0 */) * (sign || 1);
        return ctx.bi === true ? BigInt(val) : val;
    }
    // Even-numbered states absolutely require a digit next; not even end of value is permitted
    if (!(state & 1))
        TomlError.x('unfinished numeric value', ctx, startPtr);
    let str = ctx.s.slice(startPtr, ctx.p);
    if (hasUnderscores)
        str = str.replaceAll('_', ''); // perf: replaceAll 1.25x faster than replace with a regex
    return state > 1
        ? parseFloat(str)
        : parseInteger(ctx, str, 10, startPtr);
}
function parseIntegerBaseN(ctx, startPtr, base, endChr) {
    let c, underscore = 1;
    while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
        if (c === 0x5f /* _ */) {
            if (underscore & 1)
                TomlError.x('illegal underscore', ctx);
            underscore = 3;
        }
        // We only need to check if the number is a valid digit, nothing else is permitted
        else if (!extract_isDigit(c, base))
            TomlError.x(`illegal character in numeric literal`, ctx);
        // Clear underscore flag
        else if (underscore & 1)
            underscore--;
    }
    // Trailing underscore is not allowed
    if (underscore & 1)
        TomlError.x('unfinished numeric value', ctx);
    let str = ctx.s.slice(startPtr + 2, ctx.p);
    if (underscore)
        str = str.replaceAll('_', ''); // perf: replaceAll 1.25x faster than replace with a regex
    return parseInteger(ctx, str, base, startPtr);
}
function parseInteger(ctx, str, base, startPtr) {
    if (ctx.bi !== true)
        int: {
            let val = parseInt(str, base);
            if (!Number.isSafeInteger(val)) {
                if (ctx.bi)
                    break int;
                TomlError.x('integer value cannot be represented losslessly', ctx, startPtr);
            }
            return val;
        }
    return base === 10 ? BigInt(str) : BigInt((base === 2 ? '0b' : base === 8 ? '0o' : '0x') + str);
}
function parseDate(ctx, c, endChr) {
    let startPtr = ctx.p++, unsafeSeparator;
    if (!extract_isDigit(c) ||
        !extract_isDigit(ctx.s.charCodeAt(ctx.p++)) ||
        !extract_isDigit(ctx.s.charCodeAt(ctx.p++)) ||
        !extract_isDigit(ctx.s.charCodeAt(ctx.p++))) {
        return parseNumber(ctx, ctx.p = startPtr, c, 0, endChr);
    }
    ctx.p += 5;
    if (!extract_isDigit(ctx.s.charCodeAt(ctx.p++)))
        TomlError.x('invalid date-time: date part is malformed', ctx, startPtr);
    if (ctx.p >= ctx.s.length || (((c = ctx.s.charCodeAt(ctx.p)) !== 0x20 || (unsafeSeparator = true, !extract_isDigit(ctx.s.charCodeAt(ctx.p + 1)))) && c !== 0x54 /* T */ && c !== 0x74 /* t */)) {
        let t = ctx.s.slice(startPtr, ctx.p);
        return readDate(ctx, t, 3, false, startPtr);
    }
    if (ctx.s.charCodeAt(ctx.p += 3) !== 0x3a /* : */)
        TomlError.x('invalid date-time: time part is malformed', ctx, startPtr);
    if (ctx.s.charCodeAt(ctx.p += 3) === 0x3a /* : */)
        ctx.p += 3;
    if (ctx.s.charCodeAt(ctx.p) === 0x2e /* . */)
        while (extract_isDigit(ctx.s.charCodeAt(++ctx.p)))
            ;
    if (c = ctx.s.charCodeAt(ctx.p)) {
        if (c === 0x5a /* Z */ || c === 0x7a /* z */) {
            let t = ctx.s.slice(startPtr, ++ctx.p);
            return readDate(ctx, t, 1, unsafeSeparator, startPtr, '[+00:00]');
        }
        if (c === 0x2b /* + */ || c === 0x2d /* - */) {
            // Temporal's ZonedDateTime is weird asf when it comes to dealing with traditional offsets...
            // It's 1.2x faster to allocate a new string to pass to ZDT than use Instant.toZonedDateTimeISO
            let t = ctx.s.slice(startPtr, ctx.p += 6);
            return readDate(ctx, t, 1, unsafeSeparator, startPtr, !ctx.ld && ('[' + ctx.s.slice(ctx.p - 6, ctx.p) + ']'));
        }
    }
    let t = ctx.s.slice(startPtr, ctx.p);
    return readDate(ctx, t, 2, unsafeSeparator, startPtr);
}
function parseTime(ctx, c, endChr) {
    let start = ctx.p;
    if (!extract_isDigit(c) || !extract_isDigit(ctx.s.charCodeAt(++ctx.p))) {
        return parseNumber(ctx, --ctx.p, c, 0, endChr);
    }
    if (ctx.s.charCodeAt(ctx.p += 4) === 0x3a /* : */)
        ctx.p += 3;
    if (ctx.s.charCodeAt(ctx.p) === 0x2e /* . */)
        while (extract_isDigit(ctx.s.charCodeAt(++ctx.p)))
            ;
    let t = ctx.s.slice(start, ctx.p);
    return readDate(ctx, t, 4, false, start);
}
function readDate(ctx, str, type, unsafeDelim, errPtr, temporalSuffix) {
    if (ctx.ld) {
        let date = new TomlDate(str, type, unsafeDelim);
        if (!date.isValid())
            TomlError.x('invalid date', ctx, errPtr);
        return date;
    }
    try {
        if (temporalSuffix)
            str += temporalSuffix;
        switch (type) {
            case 1: return Temporal.ZonedDateTime.from(str);
            case 2: return Temporal.PlainDateTime.from(str);
            case 3: return Temporal.PlainDate.from(str);
            case 4: return Temporal.PlainTime.from(str);
        }
    }
    catch (e) {
        TomlError.x(e instanceof Error ? e.message : '' + e, ctx, errPtr);
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/util.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/** @internal */
function skipComment(ctx) {
    for (; ctx.p < ctx.s.length; ctx.p++) {
        let c = ctx.s.charCodeAt(ctx.p);
        if (c === 0xa /* \n */)
            break;
        if (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */) {
            ctx.p++;
            break;
        }
        if ((c < 0x20 && c !== 0x9 /* \t */) || c === 0x7f) {
            TomlError.x('control characters are not allowed in comments', ctx);
        }
    }
}
/** @internal */
function skipVoid(ctx, banNewLines, banComments) {
    let c;
    while (ctx.p < ctx.s.length) {
        while (ctx.p < ctx.s.length && ((c = ctx.s.charCodeAt(ctx.p)) === 0x20 ||
            c === 0x9 /* \t */ ||
            (!banNewLines &&
                (c === 0xa /* \n */ || (c === 0xd /* \r */ && ctx.s.charCodeAt(ctx.p + 1) === 0xa /* \n */)))))
            ctx.p++;
        if (banComments || c !== 0x23 /* # */)
            break;
        skipComment(ctx);
    }
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/struct.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




/** @internal */
function parseKey(ctx, end = 0x3d /* = */) {
    // States:
    // 0: before first char
    // 1: parsing bare key
    // 2: after key component
    let startPtr;
    let state = 0;
    let parsed = [];
    let sliceStart;
    let c = ctx.s.charCodeAt(startPtr = ctx.p);
    do {
        // End of key
        if (c === end) {
            if (!state)
                TomlError.x('unexpected end of key', ctx);
            if (state === 1)
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
            return ctx.p++, parsed;
        }
        // Dotted key separator
        else if (c === 0x2e /* . */) {
            if (!state)
                TomlError.x('illegal empty bare key', ctx);
            if (state === 1)
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
            state = 0;
        }
        // Quoted key
        else if (!state && (c === 0x22 /* " */ || c === 0x27 /* ' */)) {
            if (c === ctx.s.charCodeAt(ctx.p + 1) && c === ctx.s.charCodeAt(ctx.p + 2))
                TomlError.x('illegal quoted key: multiline strings are not allowed', ctx);
            parsed.push(parseString(ctx));
            state = 2;
            ctx.p--;
        }
        // Whitespace; no-op in state 0 and 2, end of bare key in state 1
        else if (c === 0x20 || c === 0x9 /* \t */) {
            if (state === 1) {
                parsed.push(ctx.s.slice(sliceStart, ctx.p));
                state = 2;
            }
        }
        // If state is post-key, no character is allowed; otherwise ensure it's a bare-key component
        else if (state === 2 || (c < 0x30 && c !== 0x2d /* - */) || (c > 0x39 && c < 0x41) || (c > 0x5a && c < 0x61 && c !== 0x5f /* _ */) || c > 0x7a) {
            TomlError.x('illegal character in key', ctx);
        }
        // Illegal character
        else if (!state) {
            state = 1;
            sliceStart = ctx.p;
        }
    } while (c = ctx.s.charCodeAt(++ctx.p));
    TomlError.x('incomplete key-value: cannot find end of key', ctx, startPtr);
}
/** @internal */
function parseInlineTable(ctx) {
    let startPtr = ctx.p++;
    let res = Object.create(null);
    let seen = new Set();
    let c;
    while (ctx.p < ctx.s.length) {
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p)) === 0x7d /* } */) {
            ctx.p++;
            return res;
        }
        let k;
        let t = res;
        let hasOwn = false;
        let errPtr = ctx.p;
        let key = parseKey(ctx);
        for (let i = 0; i < key.length; i++) {
            if (i)
                t = hasOwn ? t[k] : (t[k] = Object.create(null));
            k = key[i];
            if ((hasOwn = Object.hasOwn(t, k)) && (typeof t[k] !== 'object' || seen.has(t[k]))) {
                TomlError.x('trying to redefine an already defined value', ctx, errPtr);
            }
            let unsafe = k === '__proto__';
            if (ctx.uk && (unsafe || k === 'constructor')) {
                t = ctx.uk !== 1 && TomlError.x('document contains an unsafe property', ctx, errPtr);
                break;
            }
            if (!hasOwn && unsafe) {
                Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
            }
        }
        if (hasOwn) {
            TomlError.x('trying to redefine an already defined value', ctx, errPtr);
        }
        skipVoid(ctx, true, true);
        let value = extractValue(ctx, 0x7d /* } */);
        if (t && typeof (t[k] = value) === 'object')
            seen.add(value);
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p++)) === 0x7d /* } */) {
            return res;
        }
        if (c !== 0x2c /* , */)
            TomlError.x('expected comma or end of structure', ctx, ctx.p - 1);
    }
    TomlError.x('unfinished table', ctx, startPtr);
}
/** @internal */
function parseArray(ctx) {
    let startPtr = ctx.p++;
    let res = [];
    let c;
    while (ctx.p < ctx.s.length) {
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p)) === 0x5d /* ] */) {
            ctx.p++;
            return res;
        }
        res.push(extractValue(ctx, 0x5d /* ] */));
        skipVoid(ctx);
        if ((c = ctx.s.charCodeAt(ctx.p++)) === 0x5d /* ] */) {
            return res;
        }
        if (c !== 0x2c /* , */)
            TomlError.x('expected comma or end of structure', ctx, ctx.p - 1);
    }
    TomlError.x('unfinished array', ctx, startPtr);
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/parse.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */




function peekTable(ctx, key, table, meta, type) {
    let t = table;
    let m = meta;
    let k;
    let hasOwn = false;
    let state;
    for (let i = 0; i < key.length; i++) {
        if (i) {
            t = hasOwn ? t[k] : (t[k] = Object.create(null));
            m = (state = m[k]).c;
            if (type === 0 /* Type.DOTTED */ && (state.t === 1 /* Type.EXPLICIT */ || state.t === 2 /* Type.ARRAY */)) {
                return null;
            }
            if (state.t === 2 /* Type.ARRAY */) {
                let l = t.length - 1;
                t = t[l];
                m = m[l].c;
            }
        }
        k = key[i];
        if ((hasOwn = Object.hasOwn(t, k)) && m[k]?.t === 0 /* Type.DOTTED */ && m[k]?.d) {
            return null;
        }
        if (!hasOwn) {
            let unsafe = k === '__proto__';
            if (ctx.uk && (unsafe || k === 'constructor'))
                return false;
            if (unsafe) {
                Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
                Object.defineProperty(m, k, { enumerable: true, configurable: true, writable: true });
            }
            m[k] = {
                t: i < key.length - 1 && type === 2 /* Type.ARRAY */
                    ? 3 /* Type.ARRAY_DOTTED */ : type,
                d: false,
                i: 0,
                c: Object.create(null),
            };
        }
    }
    state = m[k];
    if (state.t !== type && !(type === 1 /* Type.EXPLICIT */ && state.t === 3 /* Type.ARRAY_DOTTED */)) {
        // Bad key type!
        return null;
    }
    if (type === 2 /* Type.ARRAY */) {
        if (!state.d) {
            state.d = true;
            t[k] = [];
        }
        t[k].push(t = Object.create(null));
        state.c[state.i++] = (state = { t: 1 /* Type.EXPLICIT */, d: false, i: 0, c: Object.create(null) });
    }
    if (state.d) {
        // Redefining a table!
        return null;
    }
    state.d = true;
    if (type === 1 /* Type.EXPLICIT */) {
        t = hasOwn ? t[k] : (t[k] = Object.create(null));
    }
    else if (type === 0 /* Type.DOTTED */ && hasOwn) {
        return null;
    }
    return [k, t, state.c];
}
function validateTablePeek(ctx, peek, ptr) {
    if (peek === null || ctx.uk === 2)
        TomlError.x(peek === null
            ? 'trying to redefine an already defined table or value'
            : 'document contains an unsafe property', ctx, ptr);
}
function parse(toml, options = {}) {
    let ctx = {
        s: toml,
        p: 0,
        d: options.maxDepth ?? 1000,
        bi: options.integersAsBigInt ?? false,
        ld: options.useLegacyDate ?? true,
        uk: options.unsafeKeyBehaviour === 'throw' ? 2 : options.unsafeKeyBehaviour === 'drop' ? 1 : 0,
    };
    let res = Object.create(null);
    let meta = Object.create(null);
    let tmp;
    let skipping = false;
    let tbl = res;
    let m = meta;
    // BOM is allowed, skip.
    // JS is UTF-16, so we have to check for the UTF-16 BOM instead of the UTF-8 BOM sequence!
    if (toml.charCodeAt(0) === 0xfeff)
        ctx.p++;
    skipVoid(ctx);
    while (ctx.p < toml.length) {
        if (toml.charCodeAt(ctx.p) === 0x5b /* [ */) {
            let isTableArray = toml.charCodeAt(++ctx.p) === 0x5b; /* [ */
            tmp = ctx.p += +isTableArray;
            skipping = false;
            let k = parseKey(ctx, 0x5d /* ] */);
            if (isTableArray) {
                if (toml.charCodeAt(ctx.p) !== 0x5d /* ] */) {
                    TomlError.x('expected end of table array declaration', ctx);
                }
                ctx.p++;
            }
            let p = peekTable(ctx, k, res, meta, isTableArray ? 2 /* Type.ARRAY */ : 1 /* Type.EXPLICIT */);
            if (!p) {
                validateTablePeek(ctx, p, tmp);
                skipping = true;
            }
            else {
                m = p[2];
                tbl = p[1];
            }
        }
        else {
            tmp = ctx.p;
            let k = parseKey(ctx);
            let p = peekTable(ctx, k, tbl, m, 0 /* Type.DOTTED */);
            if (!p && !skipping)
                validateTablePeek(ctx, p, tmp);
            skipVoid(ctx, true, true);
            let v = extractValue(ctx, void 0);
            if (p && !skipping)
                p[1][p[0]] = v;
        }
        skipVoid(ctx, true);
        if (ctx.p < toml.length && (tmp = toml.charCodeAt(ctx.p)) !== 0xa /* \n */ && (tmp !== 0xd /* \r */ || toml.charCodeAt(ctx.p + 1) !== 0xa /* \n */)) {
            TomlError.x('each key-value declaration must be followed by an end-of-line', ctx);
        }
        skipVoid(ctx);
    }
    return res;
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/stringify.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */
let BARE_KEY = /^[a-z0-9-_]+$/i;
let HAS_WELLFORMED = !!(''.isWellFormed);
function extendedTypeOf(obj) {
    let type = typeof obj;
    if (type === 'object') {
        if (Array.isArray(obj))
            return 'array';
        if (typeof obj.getUTCDate === 'function' && obj instanceof Date)
            return 'date';
        if (globalThis.Temporal) {
            if (obj.until) {
                if (obj instanceof Temporal.ZonedDateTime)
                    return 'temporal/tz+uc';
                if (obj instanceof Temporal.PlainDateTime || obj instanceof Temporal.PlainDate)
                    return 'temporal/uc';
                if (obj instanceof Temporal.PlainTime || obj instanceof Temporal.Instant)
                    return 'temporal';
                if (obj instanceof Temporal.PlainYearMonth)
                    return 'temporal/x';
            }
            else if ((obj.toPlainDate && obj instanceof Temporal.PlainMonthDay) ||
                (obj.negated && obj instanceof Temporal.Duration)) {
                return 'temporal/x';
            }
        }
    }
    return type;
}
function isArrayOfTables(obj) {
    for (let i = 0; i < obj.length; i++) {
        if (extendedTypeOf(obj[i]) !== 'object')
            return false;
    }
    return obj.length != 0;
}
function formatWellFormedStringUnchecked(s) {
    return JSON.stringify(s).replaceAll('\x7f', '\\u007f');
}
function formatString(s) {
    return formatWellFormedStringUnchecked(HAS_WELLFORMED ? s.toWellFormed() : s);
}
function formatKey(s) {
    if (BARE_KEY.test(s))
        return s;
    if (HAS_WELLFORMED && !s.isWellFormed())
        throw new RangeError('key contains illegal lone surrogates');
    return formatWellFormedStringUnchecked(s);
}
function stringifyValue(val, type, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    switch (type) {
        // @ts-expect-error -- intentional fallthrough case
        case 'number':
            if (isNaN(val))
                return 'nan';
            if (val === Infinity)
                return 'inf';
            if (val === -Infinity)
                return '-inf';
            if (Number.isInteger(val) && (numberAsFloat || !Number.isSafeInteger(val)))
                return val.toFixed(1);
        case 'bigint':
        case 'boolean':
        case 'temporal':
            return val.toString();
        case 'string':
            return formatString(val);
        case 'date':
            if (isNaN(val.getTime()))
                throw new TypeError('cannot serialize invalid date');
            return val.toISOString();
        case 'object':
            return stringifyInlineTable(val, depth, numberAsFloat, strictTemporal);
        case 'array':
            return stringifyArray(val, depth, numberAsFloat, strictTemporal);
        // @ts-expect-error -- intentional fallthrough case
        case 'temporal/tz+uc':
            if (strictTemporal) {
                let tz = val.timeZoneId;
                let tzc = tz.charCodeAt(0);
                if (
                // Classic offset
                tzc !== 0x2b /* + */ && tzc !== 0x2d /* - */ &&
                    (
                    // Fast pre-check pass; see below for the actually accepted values
                    (tzc !== 0x55 /* U */ && tzc !== 0x47 /* G */ && tzc !== 0x5a /* Z */ && tzc !== 0x45 /* E */) ||
                        (
                        // UTC and its aliases; Temporal implementations don't all canonicalise unfortunately
                        tz !== 'UTC' && tz !== 'UCT' && tz !== 'Universal' && tz !== 'Zulu' &&
                            // GMT is a TZ but it's for all intents and purposes equivalent to UTC. Safe to downgrade.
                            !tz.startsWith('GMT') && tz !== 'Greenwich' &&
                            // Etc/* are all safe to downgrade to offset (either UTC, GMT, or offset)
                            !tz.startsWith('Etc/')))) {
                    throw new TypeError('Temporal objects with an IANA timezone are not allowed in Temporal strict mode');
                }
            }
        case 'temporal/uc':
            if (strictTemporal && val.calendarId !== 'iso8601')
                throw new TypeError('Temporal objects with a non-default calendar are not allowed in Temporal strict mode');
            return val.toString({
                calendarName: 'never',
                timeZoneName: 'never',
            });
        case 'temporal/x':
            throw new TypeError('Unsupported ' + val[Symbol.toStringTag]);
    }
}
function stringifyInlineTable(obj, depth, numberAsFloat, strictTemporal) {
    let keys = Object.keys(obj);
    if (keys.length === 0)
        return '{}';
    let res = '{ ';
    for (let i = 0; i < keys.length; i++) {
        let k = keys[i];
        if (i)
            res += ', ';
        res += formatKey(k) + ' = ' + stringifyValue(obj[k], extendedTypeOf(obj[k]), depth - 1, numberAsFloat, strictTemporal);
    }
    return res + ' }';
}
function stringifyArray(array, depth, numberAsFloat, strictTemporal) {
    if (array.length === 0)
        return '[]';
    let res = '[ ';
    for (let i = 0; i < array.length; i++) {
        if (i)
            res += ', ';
        if (array[i] === null || array[i] === void 0) {
            throw new TypeError('arrays cannot contain null or undefined values');
        }
        res += stringifyValue(array[i], extendedTypeOf(array[i]), depth - 1, numberAsFloat, strictTemporal);
    }
    return res + ' ]';
}
function stringifyArrayTable(array, key, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    let res = '';
    for (let i = 0; i < array.length; i++) {
        res += `${res && '\n'}[[${key}]]\n`;
        res += stringifyTable(0, array[i], key, depth, numberAsFloat, strictTemporal);
    }
    return res;
}
function stringifyTable(tableKey, obj, prefix, depth, numberAsFloat, strictTemporal) {
    if (depth === 0) {
        throw new Error('Could not stringify the object: maximum object depth exceeded');
    }
    let preamble = '';
    let tables = '';
    let keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
        let k = keys[i];
        if (obj[k] !== null && obj[k] !== void 0) {
            let type = extendedTypeOf(obj[k]);
            if (type === 'symbol' || type === 'function') {
                throw new TypeError(`cannot serialize values of type '${type}'`);
            }
            let key = formatKey(k);
            if (type === 'array' && isArrayOfTables(obj[k])) {
                tables += (tables && '\n') + stringifyArrayTable(obj[k], prefix ? `${prefix}.${key}` : key, depth - 1, numberAsFloat, strictTemporal);
            }
            else if (type === 'object') {
                let tblKey = prefix ? `${prefix}.${key}` : key;
                tables += (tables && '\n') + stringifyTable(tblKey, obj[k], tblKey, depth - 1, numberAsFloat, strictTemporal);
            }
            else {
                preamble += key;
                preamble += ' = ';
                preamble += stringifyValue(obj[k], type, depth, numberAsFloat, strictTemporal);
                preamble += '\n';
            }
        }
    }
    if (tableKey && (preamble || !tables)) // Create table only if necessary
        preamble = preamble ? `[${tableKey}]\n${preamble}` : `[${tableKey}]`;
    return preamble && tables
        ? `${preamble}\n${tables}`
        : preamble || tables;
}
function stringify(obj, { maxDepth = 1000, numbersAsFloat = false, strictTemporal = false } = {}) {
    if (extendedTypeOf(obj) !== 'object') {
        throw new TypeError('stringify can only be called with an object');
    }
    let str = stringifyTable(0, obj, '', maxDepth, numbersAsFloat, strictTemporal);
    if (str[str.length - 1] !== '\n')
        return str + '\n';
    return str;
}

;// CONCATENATED MODULE: ./node_modules/smol-toml/dist/index.js
/*!
 * Copyright (c) Squirrel Chat et al., All rights reserved.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this
 *    list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors
 *    may be used to endorse or promote products derived from this software without
 *    specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
 * WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
 * CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
 * OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
 * OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */





/** @deprecated use `import * as ... from 'smol-toml'` instead */
/* harmony default export */ const dist = ({ parse: parse, stringify: stringify, TomlDate: TomlDate, TomlError: TomlError });

;// CONCATENATED MODULE: ./src/python/version-file.ts




/**
 * Reads the Python version a project asks for from the files that tools keep it in:
 * `.python-version` (pyenv), `.tool-versions` (asdf), `pyproject.toml` (`requires-python`) and
 * `Pipfile` (`python_version`). Returns the first usable spec, or undefined when the file names none.
 */
function specFromVersionFile(file, content) {
    const name = external_node_path_.basename(file).toLowerCase();
    if (name === 'pyproject.toml')
        return fromPyproject(content);
    if (name === 'pipfile')
        return fromPipfile(content);
    if (name === '.tool-versions')
        return fromToolVersions(content);
    return fromPythonVersion(content);
}
function meaningfulLines(content) {
    return content
        .split(/\r?\n/)
        .map(line => line.replace(/#.*/, '').trim())
        .filter(line => line !== '');
}
function isVersionSpec(text) {
    try {
        (0,version_spec/* parseVersionSpec */.ZD)(text);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * pyenv allows several versions, one per line, and the first one it has wins; `system` (whatever
 * is on PATH) and virtualenv names are not versions, and `3.12.1/envs/name` is a virtualenv of
 * 3.12.1.
 */
function fromPythonVersion(content) {
    return meaningfulLines(content)
        .flatMap(line => line.split(/\s+/))
        .map(v => v.replace(/\/envs\/.*$/, ''))
        .find(isVersionSpec);
}
function fromToolVersions(content) {
    for (const line of meaningfulLines(content)) {
        const [tool, ...versions] = line.split(/\s+/);
        if (tool === 'python')
            return versions.find(isVersionSpec);
    }
    return undefined;
}
function table(value, key) {
    if (typeof value !== 'object' || value === null)
        return undefined;
    const child = value[key];
    return typeof child === 'object' && child !== null
        ? child
        : undefined;
}
function stringAt(value, key) {
    const v = value?.[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
function fromPyproject(content) {
    const doc = parse(content);
    const poetry = table(table(table(doc, 'tool'), 'poetry'), 'dependencies');
    const poetryPython = stringAt(poetry, 'python');
    return (stringAt(table(doc, 'project'), 'requires-python') ??
        (poetryPython ? poetryToPep440(poetryPython) : undefined));
}
/** Poetry's `^3.10` means `>=3.10,<4`; its `~3.10` means `>=3.10,<3.11`. */
function poetryToPep440(spec) {
    const caret = /^\^(\d+)(\.\d+)*$/.exec(spec);
    if (caret)
        return `>=${spec.slice(1)},<${Number(caret[1]) + 1}`;
    const tilde = /^~(\d+)\.(\d+)(\.\d+)?$/.exec(spec);
    if (tilde)
        return `>=${spec.slice(1)},<${tilde[1]}.${Number(tilde[2]) + 1}`;
    return spec;
}
function fromPipfile(content) {
    const requires = table(parse(content), 'requires');
    return stringAt(requires, 'python_full_version') ?? stringAt(requires, 'python_version');
}
function readVersionFile(file) {
    return specFromVersionFile(file, external_node_fs_.readFileSync(file, 'utf8'));
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var lib_core = __nccwpck_require__(3838);
// EXTERNAL MODULE: ./src/report/secrets.ts
var secrets = __nccwpck_require__(7663);
;// CONCATENATED MODULE: ./src/action/input-values.ts






const readActionInput = name => lib_core.getInput(name);
function parseBoolean(input, value, fallback) {
    const v = value.trim().toLowerCase();
    if (v === '')
        return fallback;
    if (v === 'true')
        return true;
    if (v === 'false')
        return false;
    throw (0,diagnostic/* inputError */.Xu)(input, value, 'use true or false.');
}
function parseChoice(input, value, choices, fallback) {
    const v = value.trim().toLowerCase();
    if (v === '')
        return fallback;
    if (choices.includes(v))
        return v;
    throw (0,diagnostic/* inputError */.Xu)(input, value, `use one of ${choices.join(', ')}.`);
}
// C0 and C1 control characters but tab, DEL, and Unicode's line and paragraph separators: a line
// break in a path adds a line to GITHUB_PATH or starts a workflow command in the log; an escape
// sequence hides text there.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
/** Text with its control characters written as escapes (`\n`), for a message that quotes it. */
function visible(text) {
    return JSON.stringify(text).slice(1, -1);
}
/** A path or an argument as given, refused when it holds a control character. */
function printable(input, value, text = value) {
    const found = CONTROL.exec(text);
    if (!found)
        return text;
    const what = text === value ? 'it' : visible(text);
    throw (0,diagnostic/* inputError */.Xu)(input, visible(value), `${what} contains a control character (${visible(found[0])}). Paths and arguments cannot hold line breaks or other control characters: remove it, or rename the file.`);
}
function words(input, value) {
    let split;
    try {
        split = splitWords(value);
    }
    catch (error) {
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${error.message}; close the quote or escape it.`);
    }
    return split.map(word => printable(input, word));
}
/** An input's non-empty lines, each refused when it holds a control character. */
function lines(input, value) {
    return inputLines(value).map(line => printable(input, line));
}
function httpUrl(input, value, emptyMeans) {
    const v = value.trim();
    if (v === '')
        return '';
    let protocol = '';
    try {
        protocol = new URL(v).protocol;
    }
    catch {
        // reported below
    }
    if (protocol !== 'https:' && protocol !== 'http:') {
        throw (0,diagnostic/* inputError */.Xu)(input, value, `use an http(s) URL, or leave it empty for ${emptyMeans}.`);
    }
    (0,secrets/* maskUrlCredentials */.gn)(v);
    return v;
}
/** Registered as a secret before anything could print it. */
function secret(value) {
    const v = value.trim();
    if (v)
        lib_core.setSecret(v);
    return v;
}
/**
 * `python-path` as the user means it: a bare name (`python3`) is looked up on PATH when it runs,
 * `~/` is the home directory, anything else is relative to working-directory.
 */
function interpreterPath(value, workingDirectory) {
    if (value === '')
        return '';
    if (!/[\\/]/.test(value))
        return value;
    if (value === '~' || value.startsWith('~/'))
        return external_node_path_.join(external_node_os_.homedir(), value.slice(1));
    return external_node_path_.resolve(workingDirectory, value);
}

;// CONCATENATED MODULE: ./src/action/input-files.ts











// The files and directories inputs name: each checked to exist, be readable and printable, and be
// what the input expects; globs expanded as actions/cache expands them.
function existingDirectory(input, value, dir) {
    if (!external_node_fs_.existsSync(dir))
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${dir} does not exist.`);
    if (!external_node_fs_.statSync(dir).isDirectory())
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${dir} is not a directory.`);
    return dir;
}
/** Inputs whose files are only hashed, never parsed: any size will do. */
const HASHED_ONLY = new Set(['cache-dependency-path']);
function checkFile(input, value, file) {
    printable(input, value, file);
    const found = requirementsFileProblem(file);
    const problem = found?.kind === 'too-large' && HASHED_ONLY.has(input) ? undefined : found;
    if (problem?.kind === 'missing') {
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${file} does not exist. Fix the path (it is relative to working-directory) or remove the line.`);
    }
    if (problem?.kind === 'directory')
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${file} is not a file; name a file.`);
    if (problem)
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${file} ${problem.message}; name a regular file.`);
    try {
        external_node_fs_.accessSync(file, external_node_fs_.constants.R_OK);
    }
    catch {
        throw (0,diagnostic/* inputError */.Xu)(input, value, `${file} is not readable by this user; fix its permissions.`);
    }
    return file;
}
/**
 * Whether a glob's match lies inside a directory that globs never enter: `.git`, the venv, or any
 * other venv (a directory with pyvenv.cfg). Only directories below the glob's own root count:
 * a pattern that starts inside one means it.
 */
function insideSkipped(file, roots, venvPath) {
    const root = roots.find(r => file.startsWith(r + external_node_path_.sep));
    if (!root)
        return false;
    for (let dir = external_node_path_.dirname(file); dir !== root && dir.startsWith(root); dir = external_node_path_.dirname(dir)) {
        if (external_node_path_.basename(dir) === '.git' || dir === venvPath)
            return true;
        if (external_node_fs_.existsSync(external_node_path_.join(dir, 'pyvenv.cfg')))
            return true;
    }
    return false;
}
/** The files an input's lines name, globs expanded; each must exist and be readable. */
async function inputFiles(input, value, cwd, venvPath) {
    const files = [];
    for (const line of lines(input, value)) {
        const absolute = external_node_path_.resolve(cwd, line);
        if (!/[*?[]/.test(line)) {
            files.push(checkFile(input, line, absolute));
            continue;
        }
        const globber = await glob/* create */.v(absolute, { matchDirectories: false });
        const roots = globber.getSearchPaths();
        // A match reached through a symbolic link counts where it really is, too.
        const realRoots = roots.map(platform_os/* realPath */.Ye);
        const realVenv = (0,platform_os/* realPath */.Ye)(venvPath);
        const matches = (await globber.glob())
            .filter(m => !insideSkipped(m, roots, venvPath) && !insideSkipped((0,platform_os/* realPath */.Ye)(m), realRoots, realVenv))
            .sort();
        if (matches.length === 0) {
            throw (0,diagnostic/* inputError */.Xu)(input, line, 'the pattern matches no file; fix it or remove the line.');
        }
        files.push(...matches.map(m => checkFile(input, line, m)));
    }
    return [...new Set(files)];
}
/** What an empty `requirements` installs: the first of these that exists. */
const CONVENTIONAL_REQUIREMENTS = ['requirements.txt', 'pylock.toml'];
async function requirementFiles(value, cwd, venvPath) {
    if (inputLines(value).length === 0) {
        // The files pip users name by convention: a project with a lock file and no requirements.txt
        // installs its lock file, as it would `pip install -r pylock.toml`.
        const conventional = CONVENTIONAL_REQUIREMENTS.map(name => external_node_path_.join(cwd, name)).find(file => external_node_fs_.existsSync(file));
        return conventional ? [checkFile('requirements', '', conventional)] : [];
    }
    return inputFiles('requirements', value, cwd, venvPath);
}
/** `NAME` or `path/to/pyproject.toml:NAME`, one per line or space separated; the file must exist. */
function dependencyGroups(value, cwd) {
    return value
        .split(/\s+/)
        .filter(word => word !== '')
        .map(word => {
        const spec = parseGroupSpec(printable('dependency-groups', word), cwd);
        if (typeof spec === 'string')
            throw (0,diagnostic/* inputError */.Xu)('dependency-groups', word, spec);
        checkFile('dependency-groups', word, spec.pyproject);
        return spec;
    });
}
/** cache-dir: relative to working-directory, `~` for the home directory; made when first saved. */
function cacheDirectory(value, cwd) {
    const trimmed = value.trim();
    if (trimmed === '')
        return '';
    const dir = external_node_path_.resolve(cwd, trimmed.replace(/^~(?=$|[\\/])/, external_node_os_.homedir()));
    if (external_node_fs_.existsSync(dir) && !external_node_fs_.statSync(dir).isDirectory()) {
        throw (0,diagnostic/* inputError */.Xu)('cache-dir', value, `${dir} is not a directory; name a directory.`);
    }
    return dir;
}
function versionFromFile(value, cwd) {
    const file = external_node_path_.resolve(cwd, value);
    if (!external_node_fs_.existsSync(file) || !external_node_fs_.statSync(file).isFile()) {
        throw (0,diagnostic/* inputError */.Xu)('python-version-file', value, `${file} does not exist; fix the path.`);
    }
    let spec;
    try {
        spec = readVersionFile(file);
    }
    catch (error) {
        throw (0,diagnostic/* inputError */.Xu)('python-version-file', value, `${file} cannot be read: ${error.message}`);
    }
    if (!spec) {
        throw (0,diagnostic/* inputError */.Xu)('python-version-file', value, `${file} names no Python version; add one.`);
    }
    return spec;
}
/**
 * With no version input, `.python-version` in working-directory, else in the workspace, as
 * actions/setup-python (v5+) and setup-uv read it by default. One that names no version (only
 * `system` or a virtualenv's name) or cannot be read is passed over: the user asked for nothing.
 */
function defaultVersionFile(workingDirectory, workspace) {
    for (const dir of new Set([workingDirectory, workspace])) {
        const file = external_node_path_.join(dir, '.python-version');
        let spec;
        try {
            spec = external_node_fs_.statSync(file).isFile() ? readVersionFile(file) : undefined;
        }
        catch {
            continue;
        }
        if (spec)
            return { file, spec };
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/action/inputs.ts






async function readConfig(read = readActionInput) {
    const workspace = external_node_path_.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const workingDirectory = existingDirectory('working-directory', read('working-directory'), external_node_path_.resolve(workspace, printable('working-directory', read('working-directory')) || '.'));
    const allowPrereleases = parseBoolean('allow-prereleases', read('allow-prereleases'), false);
    let pythonVersion = read('python-version').trim();
    let pythonVersionSource = "input 'python-version'";
    const versionFile = printable('python-version-file', read('python-version-file').trim());
    const pythonPathInput = printable('python-path', read('python-path').trim());
    if (!pythonVersion && versionFile) {
        pythonVersion = versionFromFile(versionFile, workingDirectory);
        pythonVersionSource = versionFile;
    }
    else if (!pythonVersion && !pythonPathInput) {
        const found = defaultVersionFile(workingDirectory, workspace);
        if (found) {
            pythonVersion = found.spec;
            pythonVersionSource = `${found.file} (read by default: no python-version input)`;
        }
    }
    if (pythonVersion) {
        try {
            (0,version_spec/* parseVersionSpec */.ZD)(pythonVersion, allowPrereleases);
        }
        catch (error) {
            if (!(error instanceof version_spec/* VersionSpecError */.ql))
                throw error;
            const input = read('python-version').trim() ? 'python-version' : 'python-version-file';
            throw (0,diagnostic/* inputError */.Xu)(input, pythonVersion, 'it is not a Python version spec. Use a form like 3.12, 3.11.7, 3.x, >=3.10,<3.13, 3.13t or pypy3.10.');
        }
    }
    const venvPath = external_node_path_.resolve(workingDirectory, printable('venv-path', read('venv-path').trim()) || '.venv');
    return {
        workspace,
        workingDirectory,
        pythonVersion,
        pythonVersionSource,
        pythonPath: interpreterPath(pythonPathInput, workingDirectory),
        allowPrereleases,
        checkLatest: parseBoolean('check-latest', read('check-latest'), false),
        pythonManifestUrl: httpUrl('python-manifest-url', read('python-manifest-url'), 'GitHub'),
        pypyManifestUrl: httpUrl('pypy-manifest-url', read('pypy-manifest-url'), 'downloads.python.org'),
        token: secret(read('token')),
        venvPath,
        createVenv: parseBoolean('create-venv', read('create-venv'), true),
        requirementFiles: await requirementFiles(read('requirements'), workingDirectory, venvPath),
        dependencyGroups: dependencyGroups(read('dependency-groups'), workingDirectory),
        constraintFiles: await inputFiles('constraints', read('constraints'), workingDirectory, venvPath),
        // A requirement line is one argument (`pywin32; sys_platform == "win32"`); option lines such
        // as `-e .[dev]` are split into words.
        packages: lines('packages', read('packages')).flatMap(line => line.startsWith('-') ? words('packages', line) : [line]),
        upgrade: words('upgrade', read('upgrade')),
        pipArgs: words('pip-args', read('pip-args')),
        activate: parseBoolean('activate', read('activate'), true),
        onUserSite: parseChoice('on-user-site', read('on-user-site'), ['fail', 'warn', 'ignore'], 'fail'),
        guardLaterSteps: parseBoolean('guard-later-steps', read('guard-later-steps'), true),
        cache: parseChoice('cache', read('cache'), CACHE_INPUTS, 'auto'),
        cacheSave: parseBoolean('cache-save', read('cache-save'), true),
        cacheDependencyFiles: await inputFiles('cache-dependency-path', read('cache-dependency-path'), workingDirectory, venvPath),
        cacheDir: cacheDirectory(printable('cache-dir', read('cache-dir')), workingDirectory)
    };
}

;// CONCATENATED MODULE: ./src/action/later-steps.ts

/** The one place that changes later steps' environment (GITHUB_ENV, GITHUB_PATH). */
function exportToLaterSteps(env) {
    for (const [name, value] of Object.entries(env.variables))
        lib_core.exportVariable(name, value);
    for (const dir of env.path)
        lib_core.addPath(dir);
}

;// CONCATENATED MODULE: ./src/action/outputs.ts

/** Every output of action.yml, by one name each (a unit test holds this table to action.yml). */
const Outputs = {
    PythonVersion: 'python-version',
    BasePythonPath: 'base-python-path',
    PythonPath: 'python-path',
    VenvPath: 'venv-path',
    UserSiteFallback: 'user-site-fallback',
    FallbackReason: 'fallback-reason',
    CleanInstall: 'clean-install',
    CacheHit: 'cache-hit',
    CacheKey: 'cache-key'
};
/** Sets an output; booleans as `true`/`false`, as workflow expressions compare them. */
function setOutput(name, value) {
    lib_core.setOutput(name, String(value));
}

;// CONCATENATED MODULE: ./src/action/state.ts

/** The names of the main -> post state, one per fact. */
const State = { Cache: 'cache', UserSite: 'user-site' };
const state_isString = v => typeof v === 'string';
const optional = (check) => v => v === undefined || check(v);
const shape = (fields) => v => typeof v === 'object' &&
    v !== null &&
    Object.entries(fields).every(([k, check]) => check(v[k]));
const CHECKS = {
    cache: shape({
        cacheDir: state_isString,
        venv: optional(shape({
            path: state_isString,
            key: state_isString,
            snapshot: state_isString,
            inputs: v => typeof v === 'object' && v !== null && Object.values(v).every(state_isString)
        })),
        pip: optional(shape({ path: state_isString, key: state_isString }))
    }),
    'user-site': shape({
        userSite: state_isString,
        entries: v => Array.isArray(v) && v.every(state_isString),
        policy: v => v === 'fail' || v === 'warn' || v === 'ignore'
    })
};
function saveState(name, value) {
    lib_core.saveState(name, JSON.stringify(value));
}
/** What main saved under the name; undefined when it saved nothing. Throws when it is malformed. */
function readState(name) {
    const text = core.getState(name);
    if (!text)
        return undefined;
    const value = JSON.parse(text);
    if (!CHECKS[name](value))
        throw new Error(`the saved state '${name}' is malformed: ${text}`);
    return value;
}

// EXTERNAL MODULE: ./src/report/log.ts
var log = __nccwpck_require__(6472);
;// CONCATENATED MODULE: ./src/action/summary.ts


/** Longer package tables are folded, so that the summary still reads in ten seconds. */
const FOLD_AFTER = 15;
/** A message as the summary quotes it: long ones are cut (an invalid line can be megabytes). */
function clip(text) {
    return text.length > 10 * CELL_CHARS ? `${text.slice(0, 10 * CELL_CHARS)}…` : text;
}
/** Line endings as Markdown reads them: a lone CR ends a line too. */
const LINE_BREAK = /\r\n|\r|\n/;
/** Plain text as Markdown shows it: no HTML (a file may hold `<img src=…>`). */
function plain(text) {
    return text.replace(/</g, '\\<');
}
/** Text that must stay on its Markdown line (a file name, a reason): breaks are shown, not made. */
function oneLine(text) {
    return plain(text.replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}
/** A code span that no backtick inside can close, on one line. */
function code(text) {
    const flat = text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map(run => run.length));
    const fence = '`'.repeat(longest + 1);
    const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${flat}${pad}${fence}`;
}
/** A message quoted: every line it holds, however it breaks, stays inside the quote. */
function quote(kind, text) {
    return [
        `> [!${kind}]`,
        ...plain(text)
            .split(LINE_BREAK)
            .map(line => `> ${line}`),
        ''
    ];
}
/** GitHub takes at most 1 MiB of summary per step, and rejects a larger one whole. */
const SUMMARY_BYTES = 1024 * 1024;
/** Problems listed in the summary; more would not be read, and 10,000 would pass the limit. */
const PROBLEM_ROWS = 50;
/** The longest text of one table cell. */
const CELL_CHARS = 1000;
/**
 * Text for a table cell: one line, no column breaks (GitHub reads `\\|` as `|` in code spans
 * too), not longer than a reader reads.
 */
function cell(text) {
    const short = text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text;
    return plain(short).replace(/\|/g, '\\|').split(LINE_BREAK).join('<br>');
}
const ICONS = { error: '❌', warning: '⚠️', notice: 'ℹ️' };
function annotationRows(annotations) {
    const rows = ['| | where | problem |', '|---|---|---|'];
    for (const a of annotations.slice(0, PROBLEM_ROWS)) {
        const where = a.file === undefined ? '' : cell(code(`${a.file}${a.line ? `:${a.line}` : ''}`));
        const icon = ICONS[a.severity];
        rows.push(`| ${icon} | ${where} | ${cell(a.message)}${a.shown ? '' : ' *'} |`);
    }
    const more = annotations.length - PROBLEM_ROWS;
    if (more > 0)
        rows.push('', `… and ${more} more.`);
    return rows;
}
function annotationSection(annotations) {
    if (annotations.length === 0)
        return [];
    const hidden = annotations.filter(a => !a.shown).length;
    const note = hidden > 0
        ? [
            `\\* ${hidden} not annotated: GitHub shows 10 annotations of a type per step, so these are only here.`,
            ''
        ]
        : [];
    return [`**Problems** (${annotations.length})`, '', ...annotationRows(annotations), '', ...note];
}
/** The groups, lock files and constraint files that went in: they are not requirement lines. */
function sourcesLine(sources) {
    if (!sources)
        return [];
    const named = [
        ['dependency groups', sources.groups],
        ['lock files', sources.lockFiles],
        ['constraint files', sources.constraintFiles]
    ];
    const parts = named
        .filter(([, names]) => names.length > 0)
        .map(([label, names]) => `${label} ${names.map(code).join(', ')}`);
    return parts.length > 0 ? [`**From** ${parts.join(' · ')}`, ''] : [];
}
function installedSection(report) {
    const count = report.installed.length;
    if (count === 0)
        return [];
    const table = ['| package | version | requested by |', '|---|---|---|'];
    for (const p of report.installed) {
        table.push(`| ${cell(p.name)} | ${cell(p.version)} | ${cell(p.requestedBy ?? 'dependency')} |`);
    }
    if (count <= FOLD_AFTER)
        return [`**Installed** (${count})`, '', ...table, ''];
    return [
        `<details><summary><b>Installed</b> (${count})</summary>`,
        '',
        ...table,
        '',
        '</details>',
        ''
    ];
}
/**
 * Renders the run as Markdown, errors first: what was told (the error that ended the step and
 * everything not about a file as quotes, what is about a line of a file as a table), then the
 * interpreter, the venv, the guard, pip/setuptools/wheel before and after, the time of each phase,
 * and what was installed with the requirement line that asked for it.
 */
function renderSummary(report, told) {
    return withinLimit([...toldLines(told), ...renderLines(report)]);
}
const QUOTES = { error: 'CAUTION', warning: 'WARNING', notice: 'NOTE' };
function toldLines(told, heading = 'venv-guard') {
    const firstError = told.find(t => t.severity === 'error');
    const quoted = told.filter(t => t === firstError || t.file === undefined);
    const lines = [`## ${heading}`, ''];
    for (const severity of ['error', 'warning', 'notice']) {
        for (const t of quoted.filter(q => q.severity === severity))
            lines.push(...quote(QUOTES[severity], clip(t.message)));
    }
    lines.push(...annotationSection(told.filter(t => t.file !== undefined)));
    return lines;
}
/** The lines that fit GitHub's limit, and a last one that says how many did not. */
function withinLimit(lines) {
    let bytes = 0;
    for (const [i, line] of lines.entries()) {
        bytes += Buffer.byteLength(line) + 1;
        // Room for the closing line.
        if (bytes > SUMMARY_BYTES - 200) {
            return [
                ...lines.slice(0, i),
                '',
                `… and ${lines.length - i} more lines: GitHub takes at most 1 MiB of summary per step.`
            ].join('\n');
        }
    }
    return lines.join('\n');
}
function renderLines(report) {
    const lines = [];
    if (report.python) {
        const p = report.python;
        lines.push(`**Python** ${oneLine(p.version)} (${p.implementation}) at ${code(p.executable)}, found by ${p.foundBy}`, '');
    }
    if (report.venv) {
        lines.push(`**venv** ${code(report.venv.path)}: ${report.venv.action} (${oneLine(report.venv.reason)})`, '');
    }
    if (report.guard) {
        lines.push(`**Guard** ${report.guard.verdict}: ${oneLine(report.guard.reason)}`, '');
    }
    lines.push(...sourcesLine(report.sources));
    const tracked = ['pip', 'setuptools', 'wheel'];
    if (tracked.some(name => report.versionsBefore[name] || report.versionsAfter[name])) {
        lines.push('| package | before | after |', '|---|---|---|');
        for (const name of tracked) {
            lines.push(`| ${name} | ${report.versionsBefore[name] ?? '—'} | ${report.versionsAfter[name] ?? '—'} |`);
        }
        lines.push('');
    }
    if (report.phases.length > 0) {
        const phases = report.phases.map(p => `${p.name} ${p.seconds.toFixed(1)} s`);
        lines.push(`**Time** ${phases.join(' · ')}`, '');
    }
    lines.push(...installedSection(report));
    return lines;
}
/** Appends Markdown to GITHUB_STEP_SUMMARY; a local run without it just skips this. */
async function append(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    try {
        await lib_core.summary.addRaw(markdown(), true).write();
    }
    catch (error) {
        (0,log/* warn */.R8)(`Could not write the job summary: ${error.message}`);
    }
}
/** The main step's job summary. */
async function writeSummary(report, told) {
    await append(() => renderSummary(report, told));
}
/**
 * The post step's part of the job summary: what it told (a later step's user-site install, a
 * cache that was not saved), and nothing when it had nothing to say.
 */
async function writePostSummary(told) {
    if (told.length > 0)
        await append(() => withinLimit(toldLines(told, 'venv-guard (post step)')));
}

;// CONCATENATED MODULE: ./src/annotations/finding.ts
/** A finding: what went wrong, how it is titled, and the line it is annotated on. */
/** In order of importance: what the user must fix first comes first. */
const KINDS = [
    'invalid-requirement',
    'missing-file',
    'conflict',
    'hash',
    'not-found',
    'fetch',
    'clone',
    'build',
    'pip',
    'broken-dependency'
];
const TITLES = {
    'invalid-requirement': 'venv-guard: invalid requirement',
    'missing-file': 'venv-guard: missing requirements file',
    conflict: 'venv-guard: dependency conflict',
    hash: 'venv-guard: hash check failed',
    'not-found': 'venv-guard: no matching distribution',
    fetch: 'venv-guard: download failed',
    clone: 'venv-guard: clone failed',
    build: 'venv-guard: build failed',
    pip: 'venv-guard: pip install failed',
    'broken-dependency': 'venv-guard: broken dependency'
};
function finding(kind, message, entry) {
    const severity = kind === 'broken-dependency' ? 'warning' : 'error';
    return { severity, kind, title: TITLES[kind], message, ...entry };
}
/** The parser's problems (before pip runs) as findings, on the line pip would complain about. */
function findingsFromProblems(problems) {
    return problems.map(({ kind, file, line, message }) => finding(kind, message, { file, line }));
}
/** Most important first (see KINDS). */
function byImportance(findings) {
    return [...findings].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
}

;// CONCATENATED MODULE: ./src/annotations/emit.ts




/** A finding as it is told: its file relative to the workspace, as annotations name files. */
function diagnosticOf(f, workspace) {
    return {
        severity: f.severity,
        title: f.title,
        message: f.message,
        ...(f.file === undefined ? {} : { file: external_node_path_.relative(workspace, f.file), line: f.line })
    };
}
/** Tells findings, most important first: GitHub's cap of annotations keeps the first. */
function annotate(findings, workspace) {
    for (const f of byImportance(findings))
        (0,log/* tell */.qz)(diagnosticOf(f, workspace));
}
/**
 * For a failure that ends the step: the most important finding becomes the error thrown, told
 * here first, within GitHub's cap, and the others after it.
 */
function failure(findings, workspace) {
    const [first, ...rest] = byImportance(findings);
    const { message, ...where } = diagnosticOf(first, workspace);
    const thrown = new diagnostic/* ActionError */.lZ(message, where);
    (0,log/* tell */.qz)(thrown.diagnostic);
    thrown.told = true;
    annotate(rest, workspace);
    return thrown;
}
/** For problems pip would stop at in the requirements, found before it runs: the step ends here. */
function requirementsFailure(problems, workspace) {
    return failure(findingsFromProblems(problems), workspace);
}

;// CONCATENATED MODULE: ./src/report/run-report.ts
function newReport() {
    return {
        versionsBefore: {},
        versionsAfter: {},
        installed: [],
        phases: []
    };
}
/** Runs one phase of the action and records how long it took. */
async function timed(report, name, work) {
    const start = performance.now();
    try {
        return await work();
    }
    finally {
        report.phases.push({ name, seconds: (performance.now() - start) / 1000 });
    }
}

;// CONCATENATED MODULE: ./src/venv/marker.ts




/**
 * The file that marks a venv as venv-guard's, and complete only once everything is installed.
 * This module is its only writer.
 */
const MARKER_FILE = 'venv-guard.json';
const MARKER_FORMAT = 1;
function readMarker(venv) {
    try {
        const marker = JSON.parse(external_node_fs_.readFileSync(external_node_path_.join(venv, MARKER_FILE), 'utf8'));
        if (marker.format !== MARKER_FORMAT)
            return undefined;
        // Its names go to pip's command line: anything but plain names and hashes is not used.
        return validContent(marker.content) ? marker : { ...marker, content: undefined };
    }
    catch {
        return undefined;
    }
}
const HELD_FIELDS = {
    name: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
    version: /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/,
    sha256: /^[0-9a-f]{64}$/,
    requested: 'boolean'
};
function validDist(dist) {
    if (typeof dist !== 'object' || dist === null)
        return false;
    const record = dist;
    return Object.entries(HELD_FIELDS).every(([field, rule]) => {
        const value = record[field];
        return rule === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'string' && rule.test(value);
    });
}
function validContent(content) {
    if (content === undefined)
        return true;
    if (typeof content !== 'object' || content === null)
        return false;
    const { tools, dists, settings } = content;
    return (typeof settings === 'string' &&
        /^[0-9a-f]{64}$/.test(settings) &&
        [tools, dists].every(list => Array.isArray(list) && list.every(validDist)));
}
function writeMarker(venv, marker) {
    // In the order the fields are declared, for people reading the file.
    const { created, complete, python, fingerprint, checked, content } = marker;
    const file = external_node_path_.join(venv, MARKER_FILE);
    const temporary = `${file}.${process.pid}.tmp`;
    external_node_fs_.writeFileSync(temporary, JSON.stringify({ format: MARKER_FORMAT, created, complete, python, fingerprint, checked, content }, null, 2));
    external_node_fs_.renameSync(temporary, file);
}
/** Before installing: a run interrupted from here on leaves a venv that is recognised as incomplete. */
function markInstalling(venv, owner) {
    writeMarker(venv, { ...owner, complete: false });
}
/** After a successful install: the venv holds what the fingerprint names (and `content`, where known). */
function markComplete(venv, owner, content) {
    writeMarker(venv, { ...owner, complete: true, content });
}
/** Records the digest of the distributions that passed pip check (see health.ts), keeping the rest. */
function markChecked(venv, checked) {
    const marker = readMarker(venv);
    if (marker)
        writeMarker(venv, { ...marker, checked });
}
/** Removes a venv, but only one whose marker says venv-guard created it. */
function removeOwnVenv(venv) {
    if (readMarker(venv)?.created !== true) {
        throw new diagnostic/* ActionError */.lZ(`Refusing to remove ${venv}: venv-guard did not create it.`);
    }
    // Retried where a process just stopped may still hold a file open (Windows: EBUSY, EPERM).
    external_node_fs_.rmSync(venv, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
/**
 * Beside the venv while a cache restore writes into it: `.NAME.venv-guard-restoring`, holding the
 * identity (device, inode, birth time) of the directory the restore writes into. The restore
 * starts only into an absent or empty directory, so a directory found with a mark that names it
 * came from nothing but a restore that was cut short (a cancelled job on a runner that keeps its
 * workspace), whatever its marker says. A repository can commit a file of that name, but not the
 * identity of a directory that exists only once it is checked out: a mark that does not name the
 * directory is never acted on.
 */
function restoringFile(venv) {
    return external_node_path_.join(external_node_path_.dirname(venv), `.${external_node_path_.basename(venv)}.venv-guard-restoring`);
}
function identity(venv) {
    try {
        const stat = external_node_fs_.lstatSync(venv);
        return stat.isDirectory()
            ? { dev: stat.dev, ino: stat.ino, birthtimeMs: stat.birthtimeMs }
            : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Before a restore into `venv` (absent or empty): the directory is made now, and the mark names
 * it. False, and nothing written, where a file of the mark's name is there already (not this
 * action's: discardInterruptedRestore has run), since that file is never overwritten.
 */
function markRestoring(venv) {
    const file = restoringFile(venv);
    if (external_node_fs_.existsSync(file))
        return false;
    const created = !external_node_fs_.existsSync(venv);
    external_node_fs_.mkdirSync(venv, { recursive: true });
    const mark = { ...identity(venv), created };
    external_node_fs_.writeFileSync(file, JSON.stringify(mark), { flag: 'wx' });
    return true;
}
function restoreEnded(venv) {
    external_node_fs_.rmSync(restoringFile(venv), { force: true });
}
function readRestoringMark(file) {
    try {
        const mark = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
        return typeof mark.dev === 'number' && typeof mark.ino === 'number' ? mark : undefined;
    }
    catch {
        return undefined;
    }
}
/** Removes what a restore cut short left in `venv`, and says so; nothing else is ever touched. */
function discardInterruptedRestore(venv) {
    const file = restoringFile(venv);
    if (!external_node_fs_.existsSync(file))
        return;
    const mark = readRestoringMark(file);
    const now = identity(venv);
    const same = mark !== undefined &&
        now !== undefined &&
        mark.dev === now.dev &&
        mark.ino === now.ino &&
        mark.birthtimeMs === now.birthtimeMs;
    if (!same) {
        if (now !== undefined) {
            (0,log/* info */.pq)(`venv: ${file} does not name the directory ${venv}, so venv-guard did not leave it there; both are left as they are.`);
        }
        return;
    }
    if (mark.created)
        external_node_fs_.rmSync(venv, { recursive: true, force: true });
    else
        for (const entry of external_node_fs_.readdirSync(venv))
            external_node_fs_.rmSync(external_node_path_.join(venv, entry), { recursive: true, force: true });
    restoreEnded(venv);
    (0,log/* info */.pq)(`venv: removed what an interrupted restore from the cache left in ${venv}.`);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/venv/fingerprint.ts

/** Bumped whenever what the action puts in a venv, or how it caches it, changes. */
const FORMAT_VERSION = '4';
/** What decides the venv's content: the inputs, the interpreter, and what pip reads (above). */
function fingerprintInputs(config, python, inputs) {
    return {
        pythonExecutable: python.executable,
        pythonVersion: python.versionText,
        implementation: python.implementation,
        venvPath: config.createVenv ? config.venvPath : '',
        inputs,
        packages: config.packages,
        upgrade: config.upgrade,
        pipArgs: config.pipArgs
    };
}
/**
 * A digest of everything that decides a venv's content. Equal digests mean an equal venv, so it
 * is both the "nothing to do" check for a venv already present and the cache key's core.
 */
function fingerprint(inputs) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const field = (name, value) => {
        hash.update(`${name}\0${Buffer.byteLength(value)}\0`);
        hash.update(value);
    };
    field('format', FORMAT_VERSION);
    field('python', inputs.pythonExecutable);
    field('version', inputs.pythonVersion);
    field('implementation', inputs.implementation);
    field('venv', inputs.venvPath);
    for (const file of Object.keys(inputs.inputs.files).sort()) {
        field('file', file);
        field('content', inputs.inputs.files[file]);
    }
    field('roles', JSON.stringify(inputs.inputs.roles));
    field('variables', JSON.stringify(sorted(inputs.inputs.variables)));
    field('pip-settings', JSON.stringify(sorted(inputs.inputs.pipSettings)));
    field('packages', JSON.stringify(inputs.packages));
    field('upgrade', JSON.stringify(inputs.upgrade));
    field('pip-args', JSON.stringify(inputs.pipArgs));
    return hash.digest('hex');
}
function sorted(record) {
    return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

;// CONCATENATED MODULE: ./src/cache/key.ts


const machineName = (context) => `${context.os}-${context.osVersion}-${context.arch}`;
/** The tool seed's keys (install/seed.ts): of this machine and seed, then the tools it holds. */
function seedKeyPrefix(context, seed) {
    return `venv-guard-v${FORMAT_VERSION}-seed-${machineName(context)}-${seed}-`;
}
/**
 * The cache keys. The fingerprint (venv/fingerprint.ts) already covers the interpreter, the venv's path,
 * every requirements and cache-dependency-path file, the packages, upgrade and pip-args, and the
 * action's cache format; the key adds the machine. The readable part is for people reading the
 * cache list; only the hash decides.
 */
function cacheKeys(context, python, fingerprint, venvPath) {
    const digest = (parts) => (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify(parts)).digest('hex');
    const machineParts = [context.os, context.osVersion, context.arch];
    const hash = digest([...machineParts, fingerprint]);
    const place = digest([...machineParts, python.executable, venvPath]).slice(0, 16);
    const machine = machineName(context);
    const pipPrefix = `venv-guard-v${FORMAT_VERSION}-pip-${machine}-`;
    const venvPrefix = `venv-guard-v${FORMAT_VERSION}-venv-${machine}-${python.implementation}-${python.versionText}-${place}-`;
    return {
        venv: `${venvPrefix}${hash}`,
        venvPrefix,
        pip: `${pipPrefix}${hash}`,
        pipPrefix
    };
}

;// CONCATENATED MODULE: ./src/cache/pip-cache-dir.ts




/** pip's cache directory for this run's pip runs: the last --cache-dir/--no-cache-dir in pip-args wins. */
function pipCacheDirOf(pipArgs, cwd, env, home) {
    for (let i = pipArgs.length - 1; i >= 0; i--) {
        const arg = pipArgs[i];
        if (arg === '--no-cache-dir')
            return undefined;
        if (arg.startsWith('--cache-dir='))
            return external_node_path_.resolve(cwd, arg.slice('--cache-dir='.length));
        if (arg === '--cache-dir' && i + 1 < pipArgs.length)
            return external_node_path_.resolve(cwd, pipArgs[i + 1]);
    }
    const dir = (0,platform_os/* pipCacheDir */.Lc)(env, home);
    return dir && external_node_path_.resolve(cwd, dir);
}
/**
 * What pip puts in its cache directory (pip 8 to 26): its HTTP caches, the wheels it built, and
 * its self-check state. A directory holding anything else is not pip's alone (`--cache-dir .`
 * names the workspace, `.git/config` and its token included), and is never archived.
 */
const PIP_OWN = {
    http: 'dir',
    'http-v2': 'dir',
    wheels: 'dir',
    selfcheck: 'dir',
    'selfcheck.json': 'file'
};
/** The entries of a pip cache directory that pip does not put there; symbolic links never are. */
function foreignEntries(entries) {
    return entries
        .filter(entry => PIP_OWN[entry.name] !== entry.kind)
        .map(entry => entry.name)
        .sort();
}
/** Why `dir` must not be archived as pip's cache, or undefined when it holds pip's cache alone. */
function pipCacheProblem(dir) {
    let entries;
    try {
        entries = external_node_fs_.readdirSync(dir, { withFileTypes: true });
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    }
    const foreign = foreignEntries(entries.map(entry => ({
        name: entry.name,
        kind: entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other'
    })));
    if (foreign.length === 0)
        return undefined;
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', …' : '');
    return (`Cache: pip's cache ${dir} holds ${shown} (${foreign.length} not pip's), so it is not cached: ` +
        `only a directory that holds pip's cache alone is archived. Give pip a --cache-dir of its own.`);
}
/** Whether pip's cache directory holds pip's cache alone; a warning when not. */
function pipCacheIsPips(dir) {
    const problem = pipCacheProblem(dir);
    if (problem)
        (0,log/* warn */.R8)(problem);
    return problem === undefined;
}

// EXTERNAL MODULE: ./src/platform/process.ts + 1 modules
var platform_process = __nccwpck_require__(8424);
;// CONCATENATED MODULE: ./src/cache/parts.ts


/**
 * A cache-dir archive in parts, so that a restore unpacks them side by side: creating thousands
 * of files is kernel work on one core per tar. The archive stays one ordinary, uncompressed `.tar`:
 * each part is a run of the tar's entries, every part but the last without the tar's
 * end-of-archive blocks, so that together they are one tar; after its end comes the index of the
 * parts' sizes, which a tar never reads (it stops at the end-of-archive blocks). Uncompressed,
 * because decompressing costs a restore as much CPU as creating the files (two tars of the real
 * stack: 0.40–0.55 s with zstd, 0.23–0.30 s without), at about four times the disk.
 * Pure but for files.
 */
/** What ends an archive in parts: its index, the index's length (4 bytes), then this tag. */
const INDEX_TAG = Buffer.from('venv-guard-parts');
/** What a tar made with a blocking factor of 1 ends with: two zero blocks, no padding. */
const END_OF_ARCHIVE = 1024;
/** More parts than this in an index is no archive venv-guard wrote: each would start a tar. */
const MAX_PARTS = 16;
/**
 * What unpacking an entry costs, in bytes of content: creating a file is kernel work (an inode, a
 * directory entry, its times) worth about as much as writing this many bytes, on ext4 and on a
 * runner's disk alike. A venv of large extension modules and one of many small files both end in
 * parts that take about as long.
 */
const ENTRY_COST = 24 * 1024;
/**
 * The entries under `dir`, as tar names relative to its parent (`./` first, so that no name reads
 * as an option), in walk order, cut into at most `count` runs that cost about as much to unpack
 * each (ENTRY_COST), a directory's entry never after what it holds. Files with other hard links go
 * in the first run, after `dir` and their directories: tar archives a link to a file it archived
 * before.
 */
function splitEntries(dir, count) {
    const base = `./${external_node_path_.basename(dir)}`;
    const linked = [];
    const rest = [];
    const walk = (full, name) => {
        for (const entry of external_node_fs_.readdirSync(full, { withFileTypes: true })
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const child = external_node_path_.join(full, entry.name);
            const childName = `${name}/${entry.name}`;
            const stat = entry.isFile() ? external_node_fs_.lstatSync(child) : undefined;
            if (stat && stat.nlink > 1)
                linked.push(childName);
            else
                rest.push({ name: childName, cost: ENTRY_COST + (stat?.size ?? 0) });
            if (entry.isDirectory())
                walk(child, childName);
        }
    };
    walk(dir, base);
    const above = new Set();
    for (const file of linked)
        for (let d = external_node_path_.posix.dirname(file); d !== base; d = external_node_path_.posix.dirname(d))
            above.add(d);
    const others = rest.filter(e => !above.has(e.name));
    const total = others.reduce((sum, e) => sum + e.cost, 0);
    const runs = Array.from({ length: count }, () => []);
    let spent = 0;
    for (const { name, cost } of others) {
        // The run this entry's middle falls in, so that a large file sits where most of it belongs.
        runs[Math.min(count - 1, Math.floor(((spent + cost / 2) / total) * count))].push(name);
        spent += cost;
    }
    // Walk order puts a directory before what it holds, so its mode is the one a restore keeps.
    runs[0] = [base, ...rest.filter(e => above.has(e.name)).map(e => e.name), ...linked, ...runs[0]];
    return runs.filter(run => run.length > 0);
}
/** What follows the tar in an archive in parts: the parts' sizes, their length, the tag. */
function indexTrailer(sizes) {
    const data = Buffer.from(JSON.stringify(sizes));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(data.length);
    return Buffer.concat([data, length, INDEX_TAG]);
}
/**
 * Adjacent parts joined into at most `count` ranges of about as many parts each: one tar per core
 * unpacks them. Parts but the last end without end-of-archive blocks, so a run of them is a tar.
 */
function joinRanges(ranges, count) {
    const groups = Math.max(1, Math.min(count, ranges.length));
    return Array.from({ length: groups }, (_, g) => {
        const first = ranges[Math.floor((g * ranges.length) / groups)];
        const last = ranges[Math.floor(((g + 1) * ranges.length) / groups) - 1];
        return { start: first.start, end: last.end };
    });
}
/**
 * The parts' byte ranges in the archive open as `fd`, or undefined when it does not end with an
 * index that accounts for every byte before it (cut short, or not what it says). Reads by position:
 * the file's offset stays where it was.
 */
function partRanges(fd) {
    try {
        const size = external_node_fs_.fstatSync(fd).size;
        const end = Buffer.alloc(4 + INDEX_TAG.length);
        if (size < end.length || external_node_fs_.readSync(fd, end, 0, end.length, size - end.length) < end.length)
            return undefined;
        if (!end.subarray(4).equals(INDEX_TAG))
            return undefined;
        const length = end.readUInt32LE(0);
        if (length > 1 << 16 || length > size - end.length)
            return undefined;
        const data = Buffer.alloc(length);
        const at = size - end.length - length;
        if (external_node_fs_.readSync(fd, data, 0, length, at) < length)
            return undefined;
        const sizes = JSON.parse(data.toString('utf8'));
        if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > MAX_PARTS)
            return undefined;
        if (!sizes.every(s => Number.isSafeInteger(s) && s > 0))
            return undefined;
        let start = 0;
        const ranges = sizes.map(part => ({ start, end: (start += part) }));
        return start === at ? ranges : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Cuts a part's end-of-archive blocks off (all but the last part's), which must be exactly what a
 * tar with a blocking factor of 1 writes there (two zero blocks), or the part is refused.
 */
function dropEndOfArchive(part) {
    const fd = external_node_fs_.openSync(part, 'r+');
    try {
        const size = external_node_fs_.fstatSync(fd).size;
        const end = Buffer.alloc(END_OF_ARCHIVE, 1);
        const read = size >= END_OF_ARCHIVE ? external_node_fs_.readSync(fd, end, 0, END_OF_ARCHIVE, size - END_OF_ARCHIVE) : 0;
        if (read < END_OF_ARCHIVE || !end.every(byte => byte === 0))
            throw new Error('a part of the archive did not end with two zero blocks');
        external_node_fs_.ftruncateSync(fd, size - END_OF_ARCHIVE);
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
}
/** Copies `range` of the file open as `fd` into a file of its own, by position. */
function copyRange(fd, range, into) {
    const to = external_node_fs_.openSync(into, 'wx');
    try {
        const buffer = Buffer.allocUnsafe(1 << 20);
        for (let at = range.start; at < range.end;) {
            const read = external_node_fs_.readSync(fd, buffer, 0, Math.min(buffer.length, range.end - at), at);
            if (read === 0)
                throw new Error('the archive ended early');
            external_node_fs_.writeSync(to, buffer, 0, read);
            at += read;
        }
    }
    finally {
        external_node_fs_.closeSync(to);
    }
}
/**
 * Writes `files` one after the other into `into`, then `tail`, removing each once it is copied:
 * uncompressed, the parts would hold the venv a second time beside the archive.
 */
function concatenate(into, files, tail) {
    const to = external_node_fs_.openSync(into, 'wx');
    try {
        const buffer = Buffer.allocUnsafe(1 << 20);
        for (const file of files) {
            const from = external_node_fs_.openSync(file, 'r');
            try {
                for (let read; (read = external_node_fs_.readSync(from, buffer, 0, buffer.length, null)) > 0;)
                    external_node_fs_.writeSync(to, buffer, 0, read);
            }
            finally {
                external_node_fs_.closeSync(from);
            }
            external_node_fs_.rmSync(file);
        }
        external_node_fs_.writeSync(to, tail);
    }
    finally {
        external_node_fs_.closeSync(to);
    }
}

;// CONCATENATED MODULE: ./src/cache/archive.ts








const ARCHIVE = /\.tar(\.zst|\.gz)?$/;
/**
 * The archive formats, in the order a restore prefers them for one key: what venv-guard writes
 * (an uncompressed tar in parts), then what earlier versions wrote (zstd, or gzip without zstd).
 */
const FORMATS = ['.tar', '.tar.zst', '.tar.gz'];
const formatRank = (name) => FORMATS.findIndex(format => name.endsWith(format));
/** How many archives a restore tries before it gives up: each bad one costs an extraction. */
const MAX_TRIES = 3;
/**
 * The archives to try, in order, among a cache-dir's files: the exact key's (in FORMATS' order,
 * whatever their times say: a file's time is whatever whoever wrote it chose), then, per prefix,
 * the newest first. Temporary files (a leading dot) are never chosen, nor zstd archives where
 * zstd is missing. A restore takes the first that unpacks.
 */
function archiveCandidates(files, key, prefixes, zstd) {
    const usable = files
        .filter(f => !f.name.startsWith('.') && ARCHIVE.test(f.name))
        .filter(f => zstd || !f.name.endsWith('.zst'))
        .map(f => ({ ...f, key: f.name.replace(ARCHIVE, '') }));
    const preferred = (a, b) => formatRank(a.name) - formatRank(b.name);
    const exact = usable.filter(f => f.key === key).sort(preferred);
    const prefixed = prefixes.flatMap(prefix => usable
        .filter(f => f.key !== key && f.key.startsWith(prefix))
        .sort((a, b) => b.mtimeMs - a.mtimeMs || preferred(a, b)));
    return [...exact, ...prefixed].slice(0, MAX_TRIES).map(f => ({ name: f.name, key: f.key }));
}
function compression(archive) {
    if (archive.endsWith('.zst'))
        return ['--zstd'];
    return archive.endsWith('.gz') ? ['-z'] : [];
}
/** Throws unless the program exited with 0, with the end of what it said. */
function succeeded(name, result) {
    if (result.exitCode !== 0) {
        throw new Error(`${name} exited with ${result.exitCode}: ${result.stderr.trim().slice(-500)}`);
    }
}
/**
 * tar reads and writes only a scratch directory or a temporary archive (see dirStore), so a tar
 * that outlives a cancelled step can leave nothing half-done where it counts. `handOver`: what it
 * reads as `-f -` (the archive, or a range reader's output).
 */
function runTar(args, handOver) {
    return (0,platform_process/* run */.eF)((0,platform_os/* tarCommand */.N0)(), args, { handOver });
}
async function tar(args, handOver) {
    succeeded('tar', await runTar(args, handOver));
}
/** How many parts a venv is saved in (see parts.ts): as many tars unpack them at once. */
const PARTS = 4;
function onPath(program) {
    return (0,platform_os/* executablesOnPath */.KC)(process.env.PATH ?? '', [(0,platform_os/* executableName */.IK)(program)]).length > 0;
}
/**
 * The regular files in a cache-dir. Anything else, a symbolic link above all, is never opened:
 * it could lead to an archive that whoever made the link chose.
 */
function listArchives(root) {
    let entries;
    try {
        entries = external_node_fs_.readdirSync(root, { withFileTypes: true });
    }
    catch {
        return [];
    }
    return entries.flatMap(entry => {
        if (!entry.isFile()) {
            if (ARCHIVE.test(entry.name)) {
                (0,log/* info */.pq)(`Cache: ${external_node_path_.join(root, entry.name)} is not a regular file; it is never used.`);
            }
            return [];
        }
        try {
            return [{ name: entry.name, mtimeMs: external_node_fs_.lstatSync(external_node_path_.join(root, entry.name)).mtimeMs }];
        }
        catch {
            return []; // renamed or removed by another job meanwhile
        }
    });
}
/** A directory itself, not a symbolic link to one. */
function isDirectory(file) {
    try {
        return external_node_fs_.lstatSync(file).isDirectory();
    }
    catch {
        return false;
    }
}
/**
 * Whoever can write to the cache-dir chooses what an archive holds; as root, tar would restore its
 * owners, setuid bits and modes. GNU tar and bsdtar both read these flags.
 */
const UNPACK_AS_OURS = ['--no-same-owner', '--no-same-permissions'];
/** Lists the tree under `dir`, up to its first special entry. */
function listTree(dir) {
    // A walk of its own: Node's recursive readdir costs half as much again (16,000 entries, 45 ms).
    const entries = [];
    const pending = [''];
    for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
        for (const entry of external_node_fs_.readdirSync(external_node_path_.join(dir, relative), { withFileTypes: true })) {
            const name = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.isDirectory())
                pending.push(name);
            else if (!entry.isFile() && !entry.isSymbolicLink())
                return { entries, special: name };
            entries.push(name);
        }
    }
    return { entries };
}
/**
 * Unpacks the archive open as `fd` into `tree`: one in parts (parts.ts) every run of parts by a tar
 * of its own, at once (one tar per core); one in one piece (an earlier version's), or whose parts
 * do not unpack so, by one tar. Every tar reads what it was handed, never a name, which another
 * job may have renamed another archive to meanwhile; and a tar reading its stdin refuses
 * compressed data it was not told of. A `.tar` whose index does not account for every byte is cut
 * short or was never whole, and is refused: unlike zstd, tar can take a cut archive for a shorter
 * one. Returns what it holds (listTree); one with a special entry leaves `tree` unfinished.
 */
async function unpack(archive, fd, scratch, tree) {
    const inParts = archive.endsWith(FORMATS[0]);
    const ranges = inParts ? partRanges(fd) : undefined;
    if (inParts && !ranges) {
        throw new Error('its end is not the index venv-guard writes (cut short, or not written whole)');
    }
    const runs = ranges ? joinRanges(ranges, external_node_os_.availableParallelism()) : [];
    if (runs.length > 1) {
        try {
            return await unpackParts(fd, runs, scratch, tree);
        }
        catch (error) {
            (0,log/* info */.pq)(`Cache: ${archive} did not unpack in parts (${error.message}); unpacking it whole.`);
            (0,platform_process/* removeAll */.C0)(tree);
            external_node_fs_.mkdirSync(tree);
        }
    }
    await tar(['-x', '-f', '-', ...compression(archive), ...UNPACK_AS_OURS, '-C', tree], fd);
    return listTree(tree);
}
/**
 * Each run of parts (one per core) is unpacked into a directory of its own, then the trees are merged by renaming, never
 * through a link: tar keeps a link it unpacks from leading its later entries elsewhere, but only
 * within one run, so one part's `x -> /etc` must never meet another part's `x/passwd`. Each run's
 * tree is listed as soon as its tar is done, while the others work.
 */
async function unpackParts(fd, runs, scratch, tree) {
    // All made before any tar starts: a failure here must leave no tar running.
    const intos = runs.map((_, i) => external_node_path_.join(scratch, `part-${i}`));
    for (const into of intos)
        external_node_fs_.mkdirSync(into);
    const parts = runs.map((range, i) => ({
        into: intos[i],
        unpacked: unpackRange(fd, range, external_node_path_.join(scratch, `${i}.tar`), intos[i])
    }));
    const listed = await (0,platform_process/* allDone */.gH)(parts.map(({ into, unpacked }) => unpacked.then(() => listTree(into))));
    const special = listed.find(part => part.special !== undefined);
    if (special)
        return special;
    for (const { into } of parts)
        mergeTree(into, tree);
    // A directory two parts share is listed twice; its first listing comes before what it holds.
    return { entries: listed.flatMap(part => part.entries) };
}
/**
 * Unpacks `range` of the archive open as `fd` into `into`: read in place by a range reader piped
 * into tar (a copy of a quarter of the venv costs the kernel new pages: 0.7 s against 0.23 s for
 * the real stack's two runs), else copied to `copy` first.
 */
async function unpackRange(fd, range, copy, into) {
    const unpack = ['-x', '-b', '256', ...UNPACK_AS_OURS, '-C', into];
    const reader = (0,platform_os/* rangeReader */.n3)(range);
    if (!reader || !onPath(reader.command)) {
        copyRange(fd, range, copy);
        return tar([...unpack, '-f', copy]);
    }
    let bytes;
    const reading = (0,platform_process/* run */.eF)(reader.command, reader.args, {
        handOver: fd,
        pipeTo: stdout => (bytes = stdout)
    });
    const [read, unpacked] = await (0,platform_process/* allDone */.gH)([reading, runTar([...unpack, '-f', '-'], bytes)]);
    // The reader's failure first: it explains tar's, and a reader that ended early leaves tar a
    // shorter archive, which it may take for a whole one.
    succeeded(reader.command, read);
    succeeded('tar', unpacked);
}
/**
 * Moves what `from` holds into `into`: an entry `into` lacks by renaming it, a directory both have
 * by merging them. Anything else both have (a link and a directory above all) is an archive that
 * is not what venv-guard writes.
 */
function mergeTree(from, into) {
    for (const name of external_node_fs_.readdirSync(from)) {
        const source = external_node_path_.join(from, name);
        const target = external_node_path_.join(into, name);
        const existing = external_node_fs_.lstatSync(target, { throwIfNoEntry: false });
        if (!existing) {
            external_node_fs_.renameSync(source, target);
        }
        else if (existing.isDirectory() && external_node_fs_.lstatSync(source).isDirectory()) {
            mergeTree(source, target);
        }
        else {
            throw new Error(`two of its parts hold ${name}`);
        }
    }
}
/**
 * Opens `archive` once for all that reads it: a regular file, never through a link, nor a FIFO
 * that would keep the open waiting (whoever can write to the cache-dir may have swapped either in
 * since it was listed).
 */
async function withOpenArchive(archive, work) {
    const flags = external_node_fs_.constants.O_RDONLY | (external_node_fs_.constants.O_NOFOLLOW ?? 0) | (external_node_fs_.constants.O_NONBLOCK ?? 0);
    const fd = external_node_fs_.openSync(archive, flags);
    try {
        if (!external_node_fs_.fstatSync(fd).isFile())
            throw new Error('it is not a regular file');
        return await work(fd);
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
}
/**
 * Unpacks `archive` next to `dir`, then moves what it holds into `dir` (absent or empty), entry by
 * entry, so that the directory itself stays the one the restore started with (venv/marker.ts
 * knows it by that). A broken archive leaves nothing; a directory another job filled meanwhile
 * is left as that job made it (and unlisted). Undefined when it did not restore.
 */
async function restoreArchive(archive, dir) {
    const parent = external_node_path_.dirname(dir);
    external_node_fs_.mkdirSync(parent, { recursive: true });
    const scratch = external_node_fs_.mkdtempSync(external_node_path_.join(parent, '.venv-guard-restore-'));
    return (0,platform_process/* withScratch */.hM)(scratch, async () => {
        try {
            const tree = external_node_path_.join(scratch, 'tree');
            external_node_fs_.mkdirSync(tree);
            const { entries, special } = await withOpenArchive(archive, fd => unpack(archive, fd, scratch, tree));
            if (special)
                throw new Error(`it holds ${special}, which is no file, directory or link`);
            const base = external_node_path_.basename(dir);
            const unpacked = external_node_path_.join(tree, base);
            if (!isDirectory(unpacked))
                throw new Error(`it holds no directory ${base}`);
            external_node_fs_.mkdirSync(dir, { recursive: true });
            if (external_node_fs_.readdirSync(dir).length > 0) {
                (0,log/* info */.pq)(`Cache: ${dir} was filled by another job meanwhile; it is used as that job left it.`);
                return {};
            }
            for (const entry of external_node_fs_.readdirSync(unpacked)) {
                external_node_fs_.renameSync(external_node_path_.join(unpacked, entry), external_node_path_.join(dir, entry));
            }
            (0,log/* info */.pq)(`Restored ${dir} from ${archive}`);
            return {
                entries: entries.flatMap(name => name.startsWith(`${base}/`) ? [name.slice(base.length + 1)] : [])
            };
        }
        catch (error) {
            (0,log/* warn */.R8)(`Could not restore ${dir} from ${archive}: ${error.message}`);
            return undefined;
        }
    });
}
/**
 * `dir` as one tar (parts.ts) at `archive`: in parts where they are written, else, or where this
 * tar cannot write them (BusyBox's has no `-b` or `-T`), in one piece, its index naming one part.
 */
async function pack(dir, archive, work) {
    if ((0,platform_os/* savesArchivesInParts */.Dz)()) {
        try {
            return await packParts(dir, archive, work);
        }
        catch (error) {
            (0,log/* info */.pq)(`Cache: ${dir} was not archived in parts (${error.message}); archiving it whole.`);
            (0,platform_process/* removeAll */.C0)(archive);
            (0,platform_process/* removeAll */.C0)(work);
        }
    }
    // A name starting with '-' is not an option.
    await tar(['-c', '-f', archive, '-C', external_node_path_.dirname(dir), '--', external_node_path_.basename(dir)]);
    external_node_fs_.appendFileSync(archive, indexTrailer([external_node_fs_.statSync(archive).size]));
}
/** `dir` as one tar in parts (parts.ts), written to `archive` through the scratch `work`. */
async function packParts(dir, archive, work) {
    external_node_fs_.mkdirSync(work);
    const runs = splitEntries(dir, PARTS);
    const parts = runs.map((_, i) => external_node_path_.join(work, `${i}.tar`));
    await (0,platform_process/* allDone */.gH)(runs.map(async (names, i) => {
        const list = external_node_path_.join(work, `${i}.list`);
        external_node_fs_.writeFileSync(list, names.map(name => `${name}\0`).join(''));
        // One 512-byte block per record, so that a part ends in exactly two zero blocks.
        const listed = ['--no-recursion', '--null', '-T', list];
        await tar(['-c', '-b', '1', '-f', parts[i], '-C', external_node_path_.dirname(dir), ...listed]);
        if (i < runs.length - 1)
            dropEndOfArchive(parts[i]);
    }));
    concatenate(archive, parts, indexTrailer(parts.map(part => external_node_fs_.statSync(part).size)));
}
/**
 * A local directory of `<key>.tar` archives (in parts, see parts.ts, but on Windows); the
 * `<key>.tar.zst` (where zstd is on PATH) and `<key>.tar.gz` archives of earlier versions are
 * still restored, whole. Both directions are atomic: an archive is written under a temporary name and renamed
 * into place, so two jobs saving at once each rename a whole archive; a restore unpacks next to
 * its target and renames the result into place, so a broken archive never leaves half a directory
 * behind.
 */
function dirStore(root, zstd = onPath('zstd')) {
    return {
        name: `cache-dir ${root}`,
        replaces: true,
        unpacksInPlace: false,
        async restore(dir, key, prefixes = []) {
            for (const found of archiveCandidates(listArchives(root), key, prefixes, zstd)) {
                const restored = await restoreArchive(external_node_path_.join(root, found.name), dir);
                if (restored)
                    return { key: found.key, ...restored };
            }
            return undefined;
        },
        async save(dir, key, unchanged) {
            external_node_fs_.mkdirSync(root, { recursive: true });
            const extension = FORMATS[0];
            const temporary = external_node_path_.join(root, `.${key}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}${extension}`);
            const work = `${temporary}.parts`;
            return (0,platform_process/* withScratch */.hM)(temporary, () => (0,platform_process/* withScratch */.hM)(work, async () => {
                await pack(dir, temporary, work);
                if (unchanged && !unchanged()) {
                    (0,log/* warn */.R8)(`Cache: ${dir} changed while it was archived (a process a later step started?); the archive is discarded, not saved.`);
                    return false;
                }
                external_node_fs_.renameSync(temporary, external_node_path_.join(root, `${key}${extension}`));
                // One entry per key: an earlier version's, in another format, would linger.
                for (const other of FORMATS.slice(1))
                    external_node_fs_.rmSync(external_node_path_.join(root, `${key}${other}`), { force: true });
                (0,log/* info */.pq)(`Saved ${dir} to ${external_node_path_.join(root, key + extension)}`);
                return true;
            }));
        }
    };
}

;// CONCATENATED MODULE: ./src/cache/store.ts




/** Whether the runner offers GitHub's cache service, told without loading its client. */
function githubCacheOffered(env) {
    return Boolean(env.ACTIONS_CACHE_URL || (env.ACTIONS_CACHE_SERVICE_V2 && env.ACTIONS_RESULTS_URL));
}
/**
 * Runs an @actions/cache call for `dir`. The client lists paths relative to GITHUB_WORKSPACE in a
 * file for tar's --files-from, where GNU tar reads a line starting with '-' as an option; for such
 * a path (a venv named -venv) the paths are made relative to the filesystem's root instead, the
 * same on save and on restore (the entry's version depends on `dir` alone).
 */
async function withSafeRelativePath(dir, call) {
    const workspace = process.env.GITHUB_WORKSPACE;
    if (!external_node_path_.relative(workspace ?? process.cwd(), dir).startsWith('-'))
        return call();
    process.env.GITHUB_WORKSPACE = external_node_path_.parse(dir).root;
    try {
        return await call();
    }
    finally {
        if (workspace === undefined)
            delete process.env.GITHUB_WORKSPACE;
        else
            process.env.GITHUB_WORKSPACE = workspace;
    }
}
/** GitHub's cache service through @actions/cache, or undefined where the runner has none. */
async function githubStore() {
    // Loaded only here: the client and the Azure SDK it brings would triple the action's start-up.
    const cache = await __nccwpck_require__.e(/* import() */ 996).then(__nccwpck_require__.bind(__nccwpck_require__, 8996));
    if (!cache.isFeatureAvailable())
        return undefined;
    return {
        name: "GitHub's cache service",
        replaces: false,
        unpacksInPlace: true,
        restore: async (dir, key, prefixes = []) => {
            const restored = await withSafeRelativePath(dir, () => cache.restoreCache([dir], key, prefixes));
            return restored === undefined ? undefined : { key: restored };
        },
        save: async (dir, key, unchanged) => {
            const saved = (await withSafeRelativePath(dir, () => cache.saveCache([dir], key))) !== -1;
            // The entry is up already: it can only be told, and deleted by hand.
            if (saved && unchanged && !unchanged()) {
                (0,log/* warn */.R8)(`Cache: ${dir} changed while it was archived and uploaded (a process a later step started?); the entry ${key} may hold those changes. Delete it: gh cache delete ${key}`);
            }
            return saved;
        }
    };
}
/** cache-dir's archives when it is set, else GitHub's cache service where the runner offers it. */
async function openStore(cacheDir) {
    if (cacheDir)
        return dirStore(cacheDir);
    const store = githubCacheOffered(process.env) ? await githubStore() : undefined;
    if (!store) {
        (0,log/* info */.pq)("Cache: GitHub's cache service is not available here (no ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL); set cache-dir to cache in a local directory.");
    }
    return store;
}
/** Only an absent or empty directory is restored into (and a pip cache saved only when it holds something). */
function isEmptyOrAbsent(dir) {
    try {
        return external_node_fs_.readdirSync(dir).length === 0;
    }
    catch (error) {
        return error.code === 'ENOENT';
    }
}

;// CONCATENATED MODULE: ./src/cache/tier.ts




/**
 * Restores a directory that is absent or empty (one that holds something is this machine's own
 * and is left alone). What a failed restore leaves behind is removed: the directory was empty
 * before, so all of it came from the failed restore.
 */
async function restoreInto(store, dir, key, prefixes) {
    if (!isEmptyOrAbsent(dir)) {
        (0,log/* info */.pq)(`Cache: ${dir} exists already; it is used as it is, not restored.`);
        return { occupied: true };
    }
    let restored;
    try {
        restored = await store.restore(dir, key, prefixes);
    }
    catch (error) {
        (0,log/* warn */.R8)(`Could not restore ${dir} from ${store.name}: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
    }
    if (!restored && store.unpacksInPlace && !isEmptyOrAbsent(dir)) {
        external_node_fs_.rmSync(dir, { recursive: true, force: true });
        (0,log/* info */.pq)(`Cache: removed what the failed restore left in ${dir}.`);
    }
    return { occupied: false, matched: restored?.key, entries: restored?.entries };
}
/**
 * Saves `dir` under `key` in the post step; a failure is a warning (or, for what only speeds a
 * later run up and another job saves as well, a line in the log), never an error.
 */
async function saveDir(store, dir, key, what, failure = warn, unchanged) {
    let saved;
    try {
        saved = await store.save(dir, key, unchanged);
    }
    catch (error) {
        failure(`Could not save ${what} to ${store.name}: ${errorMessage(error)}`);
        return;
    }
    if (saved)
        info(`Cache: saved ${what} to ${store.name} (${key}).`);
    else
        failure(`Cache: ${what} was not saved to ${store.name} (${key}); see the message above: another job may be saving the same key, or this run's token may only read the cache (pull requests from forks). The next run installs afresh.`);
}

;// CONCATENATED MODULE: ./src/cache/pip-tier.ts



/**
 * pip's cache directory, from the newest entry of this machine (a partial match is fine: pip
 * checks what it takes from it), saved again when it was not restored under its exact key, and
 * only while it holds pip's cache alone.
 */
class PipTier {
    dir;
    key;
    prefix;
    what = "pip's cache";
    exact = false;
    constructor(dir, key, prefix) {
        this.dir = dir;
        this.key = key;
        this.prefix = prefix;
    }
    async restore(store) {
        const restored = await restoreInto(store, this.dir, this.key, [this.prefix]);
        const matched = restored.occupied ? undefined : restored.matched;
        if (matched)
            (0,log/* info */.pq)(`Cache: restored pip's cache ${this.dir} (${matched}).`);
        this.exact = matched === this.key;
        return this.exact;
    }
    async toSave() {
        if (this.exact || !pipCacheIsPips(this.dir))
            return undefined;
        return { path: this.dir, key: this.key };
    }
}

;// CONCATENATED MODULE: ./src/cache/snapshot.ts



/**
 * A venv's content, for the post step to tell whether a later step changed the venv that main
 * made. Compared by content, bytecode included: Python runs a `.pyc` whose header matches its
 * source's time and size without reading the source, so a changed `.pyc` is changed code.
 *
 * Bytecode that a later step adds (pytest writes its rewritten plugins into `__pycache__`) does
 * not count as a change; it travels in the archive, but a restore removes every bytecode file
 * main did not list (dropUnknownBytecode) before anything runs, so it is never run.
 */
const PYCACHE = '__pycache__';
const CHUNK = 1 << 20;
/**
 * main's record of the venv's content (content()), kept in the venv so that it travels with the
 * archive: the digest is that record's, and the post step saves only a venv whose record is
 * unchanged and still true. Outside the record itself, which cannot hold its own hash.
 */
const CONTENT_RECORD = 'venv-guard-content.json';
/** Written and removed right after a restore: its change time is the restore's end, by the filesystem's own clock. */
const RESTORE_STAMP = '.venv-guard-restored';
/** One buffer for every read: a new one per file would leave the collector a megabyte a file. */
let chunk;
function hashFile(file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    const fd = external_node_fs_.openSync(file, 'r');
    try {
        const buffer = (chunk ??= Buffer.allocUnsafe(CHUNK));
        for (;;) {
            const read = external_node_fs_.readSync(fd, buffer, 0, CHUNK, null);
            if (read === 0)
                break;
            hash.update(buffer.subarray(0, read));
        }
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
    return hash.digest('hex');
}
/** Relative paths with `/`, the same on every OS. */
const join = (relative, name) => (relative ? `${relative}/${name}` : name);
function sortedEntries(dir) {
    return external_node_fs_.readdirSync(dir, { withFileTypes: true })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
/**
 * Every entry of `dir` in a stable order, parents before children, never following a link; in a
 * venv, its content record aside.
 */
function walk(dir, venv = true) {
    const entries = [];
    const descend = (relative, inPycache) => {
        for (const entry of sortedEntries(external_node_path_.join(dir, relative))) {
            const name = join(relative, entry.name);
            if (venv && name === CONTENT_RECORD)
                continue;
            entries.push({ relative: name, entry, inPycache });
            if (entry.isDirectory())
                descend(name, inPycache || entry.name === PYCACHE);
        }
    };
    descend('', false);
    return entries;
}
const bytecodeIn = (entries) => entries.filter(e => e.inPycache && !e.entry.isDirectory()).map(e => e.relative);
/**
 * Every name, kind, permission and file content in the venv (a file's content by its sha256),
 * except what is inside `__pycache__` directories and not in `bytecode`, and those directories
 * themselves.
 */
function content(venv, bytecode, entries, unchanged) {
    const recorded = [];
    for (const { relative, entry, inPycache } of entries) {
        const full = external_node_path_.join(venv, relative);
        if (entry.isDirectory()) {
            if (entry.name !== PYCACHE && !inPycache)
                recorded.push(['d', relative]);
            continue;
        }
        if (inPycache && !bytecode.has(relative))
            continue;
        if (entry.isSymbolicLink()) {
            recorded.push(['l', relative, external_node_fs_.readlinkSync(full)]);
        }
        else if (entry.isFile()) {
            const stat = external_node_fs_.lstatSync(full);
            const mode = stat.mode & 0o777;
            const known = unchanged?.files.get(relative);
            const same = unchanged !== undefined &&
                known?.mode === mode &&
                known.size === stat.size &&
                stat.ctimeMs < unchanged.before;
            const sha256 = same ? known.sha256 : hashFile(full);
            recorded.push(['f', relative, { mode, size: stat.size, sha256 }]);
        }
        else {
            recorded.push(['o', relative]);
        }
    }
    return recorded;
}
const digestOf = (text) => (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex');
/**
 * The digest of everything under `dir`, bytecode included: for a directory that holds no content
 * record (the tool seed), taken when main is done and again in post.
 */
function treeDigest(dir) {
    const entries = walk(dir, false);
    return digestOf(JSON.stringify(content(dir, new Set(bytecodeIn(entries)), entries)));
}
/** The venv's content record, if it is a file (never a link to one). */
function readRecord(venv) {
    const file = external_node_path_.join(venv, CONTENT_RECORD);
    try {
        return external_node_fs_.lstatSync(file).isFile() ? external_node_fs_.readFileSync(file, 'utf8') : undefined;
    }
    catch {
        return undefined;
    }
}
/** The files a venv's content record lists; none where it is absent or not what main writes. */
function recordedFiles(venv) {
    const files = new Map();
    try {
        const record = JSON.parse(readRecord(venv) ?? '[]');
        if (!Array.isArray(record))
            return files;
        for (const line of record) {
            if (!Array.isArray(line) || line[0] !== 'f' || typeof line[1] !== 'string')
                continue;
            const { mode, size, sha256 } = (line[2] ?? {});
            if (typeof mode === 'number' && typeof size === 'number' && typeof sha256 === 'string')
                files.set(line[1], { mode, size, sha256 });
        }
    }
    catch {
        files.clear();
    }
    return files;
}
/**
 * Every entry inside the venv's `__pycache__` directories, each directory before what it holds:
 * unsorted, which a restore, that needs no order, does not pay for. From `entries`, where the
 * restore listed them (RestoredEntry), else by a walk.
 */
function inPycaches(venv, entries) {
    if (entries)
        return entries.filter(name => name.startsWith(`${PYCACHE}/`) || name.includes(`/${PYCACHE}/`));
    const found = [];
    const pending = [['', false]];
    for (let next = pending.pop(); next; next = pending.pop()) {
        const [relative, inPycache] = next;
        for (const entry of external_node_fs_.readdirSync(external_node_path_.join(venv, relative), { withFileTypes: true })) {
            const name = join(relative, entry.name);
            if (inPycache)
                found.push(name);
            if (entry.isDirectory())
                pending.push([name, inPycache || entry.name === PYCACHE]);
        }
    }
    return found;
}
/**
 * Removes from a venv restored a moment ago whatever is inside its `__pycache__` directories and
 * not in `bytecode`: bytecode a later step of the saving job wrote. Returns how many entries.
 */
function dropUnknownBytecode(venv, bytecode, entries) {
    const unknown = inPycaches(venv, entries).filter(relative => !bytecode.has(relative));
    // Parents come before their children; a removed directory takes its children with it.
    let removed = 0;
    for (const relative of unknown) {
        const full = external_node_path_.join(venv, relative);
        if (!present(full))
            continue;
        external_node_fs_.rmSync(full, { recursive: true, force: true });
        removed++;
    }
    return removed;
}
/** Whether anything is at `file`, a dangling symbolic link too. */
function present(file) {
    try {
        external_node_fs_.lstatSync(file);
        return true;
    }
    catch {
        return false;
    }
}
/** main's list of the venv's bytecode, kept in the venv so that it travels with the archive. */
const BYTECODE_LIST = 'venv-guard-bytecode.json';
function readBytecodeList(venv) {
    const file = external_node_path_.join(venv, BYTECODE_LIST);
    try {
        if (!external_node_fs_.lstatSync(file).isFile())
            return new Set();
        const list = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
        return new Set(Array.isArray(list) ? list.filter(item => typeof item === 'string') : []);
    }
    catch {
        return new Set();
    }
}
/**
 * Called right after a restore, before anything runs in the venv: the change time of a file written
 * now, which every restored file's precedes (the filesystem's clock, at its granularity), or
 * undefined where none can be written.
 */
function stampRestore(venv) {
    const stamp = external_node_path_.join(venv, RESTORE_STAMP);
    try {
        external_node_fs_.writeFileSync(stamp, '', { flag: 'wx' });
        return external_node_fs_.lstatSync(stamp).ctimeMs;
    }
    catch {
        return undefined;
    }
    finally {
        external_node_fs_.rmSync(stamp, { force: true });
    }
}
/** Writes one of main's files in the venv anew: never through a link a restored archive held. */
function writeOwn(file, text) {
    external_node_fs_.rmSync(file, { force: true, recursive: true });
    external_node_fs_.writeFileSync(file, text, { flag: 'wx' });
}
/**
 * Called when main is done: lists the venv's bytecode in it, records its content, and returns the
 * record's digest. `restored` (stampRestore) is when the venv was restored from an archive whose
 * record lists its files: a file whose status changed before then keeps its recorded hash (a
 * record that lies only makes the post step refuse to save, as it hashes every file).
 */
function recordVenvContent(venv, restored) {
    const unchanged = restored === undefined ? undefined : { files: recordedFiles(venv), before: restored };
    const list = external_node_path_.join(venv, BYTECODE_LIST);
    // There before the walk; filled before its content is read.
    writeOwn(list, '');
    const entries = walk(venv);
    const bytecode = bytecodeIn(entries);
    writeOwn(list, JSON.stringify(bytecode));
    const text = JSON.stringify(content(venv, new Set(bytecode), entries, unchanged));
    writeOwn(external_node_path_.join(venv, CONTENT_RECORD), text);
    return digestOf(text);
}
/**
 * The digest as the post step sees it, every file hashed anew: equal to main's when no later step
 * changed the venv, its content record included.
 */
function currentVenvContent(venv) {
    const text = JSON.stringify(content(venv, readBytecodeList(venv), walk(venv)));
    return readRecord(venv) === text ? digestOf(text) : `not the content record: ${digestOf(text)}`;
}
/**
 * Called right after a restore, before anything runs in the venv; `entries`, where the restore
 * listed what it put there (RestoredEntry), spare a walk.
 */
function dropUnlistedBytecode(venv, entries) {
    return dropUnknownBytecode(venv, readBytecodeList(venv), entries);
}

;// CONCATENATED MODULE: ./src/cache/seed-tier.ts



/**
 * The tool seed (install/seed.ts) as a cache entry of its own, for runners whose tool cache starts
 * empty (GitHub's): restored from the newest entry of this machine and seed into a tool cache that
 * has none, and saved under the tools it holds when a run kept a new one. Its content is taken when
 * main keeps it, so that a later step that changes the tool cache cannot poison the entry; whether
 * a restored seed is used at all, pip decides as for any seed (install/seeded.ts).
 */
class SeedTier {
    dir;
    prefix;
    kept;
    constructor(dir, 
    /** Every key of this seed starts with it; the rest names the tools. */
    prefix) {
        this.dir = dir;
        this.prefix = prefix;
    }
    async restore(store) {
        const restored = await restoreInto(store, this.dir, this.prefix, [this.prefix]);
        const matched = restored.occupied ? undefined : restored.matched;
        if (matched)
            (0,log/* info */.pq)(`Cache: restored the tool seed ${this.dir} (${matched}).`);
        return matched !== undefined;
    }
    /** This run kept a new seed in the directory, of the tools `tools` names: the post step saves it. */
    keep(tools) {
        this.kept = { path: this.dir, key: `${this.prefix}${tools}`, snapshot: treeDigest(this.dir) };
    }
    toSave() {
        return this.kept;
    }
}

;// CONCATENATED MODULE: ./src/platform/python-helper.ts

/**
 * The Python helpers venv-guard ships (interpreter_probe.py, user_site_probe.py, venv_health.py):
 * each is run by an interpreter and answers with one line, `venv-guard-result: {json}`. Only that
 * line is read, so whatever else the interpreter prints (a sitecustomize that prints at exit, a
 * shim's banner) cannot be taken for the answer. One runner, one policy for what went wrong.
 */
const RESULT_PREFIX = 'venv-guard-result: ';
/** The helper's answer in its output: the last line that starts with the prefix. */
function python_helper_helperResult(stdout) {
    const line = stdout
        .split(/\r?\n/)
        .reverse()
        .find(l => l.startsWith(RESULT_PREFIX));
    if (line === undefined)
        return undefined;
    try {
        return JSON.parse(line.slice(RESULT_PREFIX.length));
    }
    catch {
        return undefined;
    }
}
/** Runs a shipped helper with `interpreter` (a command and its leading arguments) and reads its answer. */
async function runHelper(interpreter, moduleUrl, script, args = [], options = {}) {
    const [command, ...leading] = interpreter;
    const timeoutMs = options.timeoutMs ?? platform_process/* PROBE_TIMEOUT_MS */.W7;
    let result;
    try {
        result = await (0,platform_process/* run */.eF)(command, [...leading, ...(options.flags ?? []), (0,platform_process/* shippedFile */.kA)(moduleUrl, script), ...args], { cwd: options.cwd, env: options.env, timeoutMs });
    }
    catch (error) {
        return { ok: false, timedOut: false, why: `it does not start: ${error.message}` };
    }
    if (result.timedOut) {
        return { ok: false, timedOut: true, why: `it did not finish within ${timeoutMs / 1000} s` };
    }
    const value = result.exitCode === 0 ? python_helper_helperResult(result.stdout) : undefined;
    if (value !== undefined)
        return { ok: true, value };
    const said = (result.stderr || result.stdout).trim().split(/\r?\n/).slice(-3).join(' ');
    return {
        ok: false,
        timedOut: false,
        why: result.exitCode !== 0
            ? `it exits with ${result.exitCode}: ${said}`
            : `it printed no answer: ${said.slice(0, 200)}`
    };
}

;// CONCATENATED MODULE: ./src/venv/plan.ts





/** pyvenv.cfg is `key = value` lines. */
function parsePyvenvCfg(text) {
    const cfg = {};
    for (const line of text.split(/\r?\n/)) {
        const eq = line.indexOf('=');
        if (eq > 0)
            cfg[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
    }
    return cfg;
}
function inspectVenv(venv) {
    let stat;
    try {
        stat = external_node_fs_.statSync(venv);
    }
    catch {
        return { kind: 'absent' };
    }
    if (!stat.isDirectory())
        return { kind: 'file' };
    const entries = external_node_fs_.readdirSync(venv);
    if (entries.length === 0)
        return { kind: 'empty-directory' };
    const cfgFile = external_node_path_.join(venv, 'pyvenv.cfg');
    if (!external_node_fs_.existsSync(cfgFile))
        return { kind: 'not-venv', entries };
    return {
        kind: 'venv',
        cfg: parsePyvenvCfg(external_node_fs_.readFileSync(cfgFile, 'utf8')),
        marker: readMarker(venv)
    };
}
/** Whether a venv's pyvenv.cfg names this interpreter: same home directory and same version. */
function madeFrom(cfg, python) {
    const version = cfg.version ?? cfg.version_info ?? '';
    const home = cfg.home ?? '';
    const homes = [
        external_node_path_.dirname(python.executable),
        (0,platform_os/* prefixBinDir */.bV)(python.basePrefix),
        python.basePrefix
    ];
    // pyvenv.cfg has X.Y.Z, also for a pre-release (3.14.0 for 3.14.0a1); 3.12.10 is not 3.12.1.
    const release = python.versionText.replace(/(a|b|rc)\d+$/, '');
    return version === release && homes.some(h => (0,platform_os/* realPath */.Ye)(h) === (0,platform_os/* realPath */.Ye)(home));
}
/**
 * Decides what to do with venv-path. The rule for deleting: only a venv whose marker says this
 * action created it is ever removed; anything else the user made is left as it is.
 */
function planVenv(state, python, fingerprint, venv, 
/** Some requirements can change under the same fingerprint (local projects): never "up to date". */
moving = false, 
/** It came from an earlier cache entry this run: its content is known (see TargetRequest). */
updatable = false) {
    switch (state.kind) {
        case 'absent':
        case 'empty-directory':
            return { action: 'create', reason: `creating a new venv at ${venv}` };
        case 'file':
            throw new diagnostic/* ActionError */.lZ(`Input 'venv-path' names ${venv}, which is a file, not a directory. Choose another venv-path; the file was left untouched.`, { title: "venv-guard: invalid input 'venv-path'" });
        case 'not-venv':
            throw new diagnostic/* ActionError */.lZ(`Input 'venv-path' names ${venv}, which is a directory but not a virtual environment (no pyvenv.cfg; it holds ${state.entries.slice(0, 5).join(', ')}${state.entries.length > 5 ? ', ...' : ''}). Choose another venv-path; nothing in it was touched.`, { title: "venv-guard: invalid input 'venv-path'" });
        case 'venv': {
            const marker = state.marker;
            const ours = marker?.created === true;
            if (!madeFrom(state.cfg, python)) {
                const other = `${state.cfg.version ?? state.cfg.version_info ?? '?'} from ${state.cfg.home ?? '?'}`;
                if (ours) {
                    return {
                        action: 'rebuild',
                        reason: `the venv at ${venv} was made by venv-guard from another interpreter (${other}); rebuilding it for ${python.versionText}`
                    };
                }
                throw new diagnostic/* ActionError */.lZ(`Input 'venv-path' names ${venv}, a virtual environment of another interpreter (${other}) that venv-guard did not create, so it will not delete it. Remove it yourself, or choose another venv-path.`, { title: "venv-guard: invalid input 'venv-path'" });
            }
            if (ours && !marker.complete) {
                return {
                    action: 'rebuild',
                    reason: `the venv at ${venv} was left incomplete by an interrupted run; rebuilding it`
                };
            }
            const upToDate = marker?.complete === true && marker.fingerprint === fingerprint;
            if (ours && !upToDate && !moving && updatable && marker.content) {
                return {
                    action: 'update',
                    held: marker.content,
                    reason: `the venv restored at ${venv} was made for other inputs; bringing it to exactly what a new venv would hold for them`
                };
            }
            if (ours && (!upToDate || moving)) {
                // Installing over it would keep what the inputs no longer name (a removed requirement,
                // a dependency a local project dropped): the fresh venv is the recipe's result.
                return {
                    action: 'rebuild',
                    reason: upToDate
                        ? `the venv at ${venv} holds local projects, whose dependencies can change under the same inputs; rebuilding it so that it holds exactly what they bring`
                        : `the inputs changed since venv-guard made the venv at ${venv}; rebuilding it so that it holds exactly what they describe`
                };
            }
            return {
                action: 'reuse',
                upToDate,
                created: ours,
                held: upToDate ? marker?.content : undefined,
                reason: upToDate
                    ? `reusing the venv at ${venv}: same interpreter, same requirements, nothing to install`
                    : `reusing the existing venv at ${venv} (made from the same interpreter)`
            };
        }
    }
}

;// CONCATENATED MODULE: ./src/venv/health.ts







/** venv_health.py, shipped beside the bundle: run by the venv's own python. */
/** The check reads every installed file's metadata: longer than a probe, never unbounded. */
const HEALTH_TIMEOUT_MS = 60_000;
/** What the marker says against what this run would install. */
function markerProblems(marker, fingerprint) {
    if (!marker)
        return ['it has no venv-guard marker'];
    const problems = [];
    if (!marker.created)
        problems.push('its marker says venv-guard did not create it');
    if (!marker.complete)
        problems.push('its marker says the install did not finish');
    if (fingerprint === undefined && !marker.content)
        problems.push('its marker does not list what it holds, so it cannot be updated');
    if (fingerprint !== undefined && marker.fingerprint !== fingerprint)
        problems.push('its marker names other requirements');
    return problems;
}
/**
 * Whether pyvenv.cfg names the interpreter in use: the same home and version (madeFrom), and,
 * where Python records it (3.11+), an `executable` that still exists and is the same file.
 */
function pyvenvProblems(cfg, python) {
    if (!madeFrom(cfg, python)) {
        return [
            `its pyvenv.cfg names ${cfg.version ?? cfg.version_info ?? '?'} from ${cfg.home ?? '?'}, not ${python.versionText} from ${external_node_path_.dirname(python.executable)}`
        ];
    }
    const executable = cfg.executable;
    if (!executable)
        return [];
    if (!external_node_fs_.existsSync(executable)) {
        return [`its pyvenv.cfg names the interpreter ${executable}, which no longer exists`];
    }
    if ((0,platform_os/* realPath */.Ye)(executable) !== (0,platform_os/* realPath */.Ye)(python.executable)) {
        return [
            `its pyvenv.cfg names the interpreter ${executable}, but ${python.executable} is ${(0,platform_os/* realPath */.Ye)(python.executable)}`
        ];
    }
    return [];
}
/**
 * The interpreter a script starts: its shebang, or the one pip's `/bin/sh` trampoline execs (pip
 * writes that for paths with spaces or too long for a shebang). Undefined for other files.
 */
function scriptInterpreter(head) {
    if (!head.startsWith('#!'))
        return undefined;
    const [first, second = ''] = head.split(/\r?\n/);
    const command = first.slice(2).trim();
    const trampoline = /^'''exec' ("[^"]+"|\S+)/.exec(second);
    if (/^\/bin\/sh\s*$/.test(command) && trampoline)
        return trampoline[1].replace(/^"|"$/g, '');
    return command.split(/\s+/)[0];
}
/**
 * Scripts in bin/ whose shebang names a Python outside the venv, and links there that lead
 * nowhere (bin/python when its interpreter is gone). Shebangs of other programs (sh, env) are
 * fine. Windows launchers (.exe) carry theirs inside a binary and are not read.
 */
function scriptProblems(venv, os = (0,platform_os/* currentOs */.UD)()) {
    if (os === 'win32')
        return [];
    const bin = (0,platform_os/* venvBinDir */.Sg)(venv, os);
    const inside = [venv, (0,platform_os/* realPath */.Ye)(venv)].map(dir => dir + external_node_path_.sep);
    const problems = [];
    let entries;
    try {
        entries = external_node_fs_.readdirSync(bin, { withFileTypes: true });
    }
    catch {
        return [`it has no ${external_node_path_.basename(bin)} directory`];
    }
    const head = Buffer.alloc(1024);
    for (const entry of entries) {
        const file = external_node_path_.join(bin, entry.name);
        if (entry.isSymbolicLink()) {
            if (!external_node_fs_.existsSync(file))
                problems.push(`${entry.name} links to ${external_node_fs_.readlinkSync(file)}, which does not exist`);
            continue;
        }
        if (!entry.isFile())
            continue;
        const fd = external_node_fs_.openSync(file, 'r');
        let text;
        try {
            text = head.toString('utf8', 0, external_node_fs_.readSync(fd, head, 0, head.length, 0));
        }
        finally {
            external_node_fs_.closeSync(fd);
        }
        const interpreter = scriptInterpreter(text);
        if (!interpreter || !/^(python|pypy)/.test(external_node_path_.basename(interpreter)))
            continue;
        if (!inside.some(dir => external_node_path_.resolve(interpreter).startsWith(dir))) {
            problems.push(`${entry.name} starts ${interpreter}, outside the venv`);
        }
    }
    return problems;
}
/** What the venv's python reported, against what it should be. */
function probeProblems(probe, venv, python) {
    const problems = [];
    if ((0,platform_os/* realPath */.Ye)(probe.prefix) !== (0,platform_os/* realPath */.Ye)(venv)) {
        problems.push(`its python runs with the prefix ${probe.prefix}, not the venv`);
    }
    const [major, minor, micro, releaseLevel, serial] = probe.version;
    const version = (0,version_spec/* formatVersion */.qh)({ major, minor, micro, releaseLevel, serial });
    if (version !== python.versionText)
        problems.push(`its python is ${version}, not ${python.versionText}`);
    return [...problems, ...probe.problems.map(p => `pip check: ${p}`)];
}
async function runProbe(venv, python) {
    const result = await runHelper([(0,platform_os/* venvPython */.qb)(venv)], import.meta.url, 'venv_health.py', [], { flags: ['-I'], timeoutMs: HEALTH_TIMEOUT_MS });
    if (!result.ok)
        return [`its python's health check failed: ${result.why}`];
    return probeProblems(result.value, venv, python);
}
/** What is read of a METADATA file at most: its headers come first. */
const METADATA_READ = 1 << 20;
/**
 * A METADATA file's headers (up to the first empty line): what pip check reads of it. Only a
 * regular file, and only its first megabyte: a restored venv's `METADATA` could be a link to
 * `/dev/zero`.
 */
function metadataHeaders(file) {
    if (!external_node_fs_.lstatSync(file).isFile())
        throw new Error(`${file} is not a file`);
    const fd = external_node_fs_.openSync(file, 'r');
    let text;
    try {
        const buffer = Buffer.alloc(Math.min(external_node_fs_.fstatSync(fd).size, METADATA_READ));
        text = buffer.toString('utf8', 0, external_node_fs_.readSync(fd, buffer, 0, buffer.length, 0));
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
    const end = /\r?\n\r?\n/.exec(text);
    return end ? text.slice(0, end.index) : text;
}
/**
 * What the venv's python check judges: the interpreter, and every distribution's metadata headers
 * (name, version, requirements). Equal digests, equal verdicts: the marker records the digest of
 * a venv that passed when it was saved. Undefined where only the python check can tell: a
 * dist-info without a METADATA file that names its project, or no pip.
 */
function checkedDigest(venv, python) {
    const hash = (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify([python.versionText, (0,platform_os/* realPath */.Ye)(python.executable)]));
    let pip = false;
    for (const site of (0,platform_os/* venvSitePackagesFound */.eR)(venv)) {
        let names = [];
        try {
            names = external_node_fs_.readdirSync(site).filter(name => name.endsWith('.dist-info'));
        }
        catch {
            continue;
        }
        for (const name of names.sort()) {
            let headers;
            try {
                headers = metadataHeaders(external_node_path_.join(site, name, 'METADATA'));
            }
            catch {
                return undefined;
            }
            const project = /^Name:\s*(\S+)/m.exec(headers)?.[1];
            if (!project)
                return undefined;
            if (project.toLowerCase() === 'pip')
                pip = true;
            hash.update(`\0${name}\0${headers}`);
        }
    }
    return pip ? hash.digest('hex') : undefined;
}
/**
 * Whether a venv restored from the cache, or about to be saved to it, can be trusted. The file
 * checks come first and cost no process; the Python checks are one short run of the venv's python,
 * needless for a venv whose python is the interpreter just probed (a link to it) and whose
 * distributions are those that passed when it was saved (checkedDigest), or passed pip check
 * itself a moment ago.
 */
async function venvHealth(venv, expected) {
    const state = inspectVenv(venv);
    if (state.kind !== 'venv')
        return { problems: ['it is not a venv (no pyvenv.cfg)'] };
    const problems = [
        ...markerProblems(state.marker, expected.fingerprint),
        ...pyvenvProblems(state.cfg, expected.python),
        ...scriptProblems(venv)
    ];
    if (problems.length > 0)
        return { problems };
    const checked = checkedDigest(venv, expected.python);
    const asChecked = checked !== undefined &&
        (expected.pipCheckPassed || checked === state.marker?.checked) &&
        (0,platform_os/* realPath */.Ye)((0,platform_os/* venvPython */.qb)(venv)) === (0,platform_os/* realPath */.Ye)(expected.python.executable);
    return { problems: asChecked ? [] : await runProbe(venv, expected.python), checked };
}

;// CONCATENATED MODULE: ./src/cache/venv-tier.ts








/** Removes a venv restored a moment ago (restoreInto made it from nothing). */
function discardRestored(venv) {
    if (readMarker(venv)?.created)
        removeOwnVenv(venv);
    else
        external_node_fs_.rmSync(venv, { recursive: true, force: true });
}
/**
 * Runs a restore into `venv`, marked as being restored until its outcome is decided. Only a
 * restore into nothing is marked: what the next run removes on that mark is the restore's alone.
 */
async function markedWhileRestoring(venv, restore) {
    if (!isEmptyOrAbsent(venv) || !markRestoring(venv))
        return restore();
    try {
        return await restore();
    }
    finally {
        restoreEnded(venv);
    }
}
/**
 * The venv: restored into nothing under its exact key, or else the newest earlier one under the
 * prefix (the same interpreter and venv path, other inputs), which the install then updates in
 * place (install/update.ts); checked before it is trusted (venv/health.ts), and saved only when
 * this action created it, passed the health check, and no entry holds its key where entries
 * cannot be replaced (GitHub's).
 */
class VenvTier {
    request;
    what = 'the venv';
    /** The store has an entry under the key (GitHub's entries cannot be replaced). */
    keyTaken = false;
    /** An earlier venv was restored, to be updated: its content is what its saving job's main step left. */
    earlier = false;
    /** When the venv was restored (stampRestore): its files' recorded hashes hold until then. */
    restoredAt;
    constructor(request) {
        this.request = request;
    }
    restore(store) {
        return markedWhileRestoring(this.request.venv, () => this.restoreChecked(store));
    }
    async restoreChecked(store) {
        const { venv, key, prefix } = this.request;
        const restored = await restoreInto(store, venv, key, [prefix]);
        // A venv already there was not looked up: nothing is known about the store's entry.
        if (restored.occupied)
            return false;
        if (restored.matched === undefined) {
            (0,log/* info */.pq)(`Cache: no venv under ${key} in ${store.name}, nor an earlier one to update.`);
            return false;
        }
        const exact = restored.matched === key;
        const restoredAt = stampRestore(venv);
        this.keyTaken = exact;
        // An earlier venv must be one this action made and completed, and list what it holds.
        const expected = exact
            ? this.request.expected
            : { ...this.request.expected, fingerprint: undefined };
        const dropped = dropUnlistedBytecode(venv, restored.entries);
        if (dropped > 0) {
            (0,log/* info */.pq)(`Cache: removed ${dropped} bytecode files the saving job's later steps had written.`);
        }
        let problems;
        try {
            problems = (await venvHealth(venv, expected)).problems;
        }
        catch (error) {
            problems = [`its health check failed: ${(0,diagnostic/* errorMessage */.gJ)(error)}`];
        }
        if (problems.length === 0) {
            (0,log/* info */.pq)(exact
                ? `Cache: restored the venv from ${store.name} (${key}); it passed the health check.`
                : `Cache: no venv under ${key} in ${store.name}; restored an earlier one of the same interpreter and path (${restored.matched}), which passed the health check, to update it.`);
            this.earlier = !exact;
            this.restoredAt = restoredAt;
            return exact;
        }
        discardRestored(venv);
        if (!exact) {
            (0,log/* info */.pq)(`Cache: the earlier venv ${restored.matched} is not updated: ${problems.join('; ')}. It was removed, and the venv is built afresh.`);
            return false;
        }
        (0,log/* warn */.R8)(`The venv restored from ${store.name} (${restored.matched}) is not usable: ${problems.join('; ')}. ` +
            `It was removed and is built afresh.` +
            (store.replaces
                ? ' The new one replaces the cache entry.'
                : ` Delete that cache entry (gh cache delete ${restored.matched}) so that a good one can be saved.`));
        return false;
    }
    /**
     * The venv to save, checked now, while main still has the interpreter it was made for: a venv
     * that fails the health check would only be rebuilt after a restore. The digest of what passed
     * pip check goes into the marker, so that the check after a restore can skip that part.
     */
    async toSave(store, pipCheckPassed) {
        const { venv, key, expected, inputs } = this.request;
        if (!readMarker(venv)?.created || (!store.replaces && this.keyTaken))
            return undefined;
        try {
            const health = await venvHealth(venv, { ...expected, pipCheckPassed });
            if (health.problems.length > 0) {
                (0,log/* warn */.R8)(`Cache: the venv will not be saved: ${health.problems.join('; ')}. Restored, it would fail the health check and be rebuilt anyway.`);
                return undefined;
            }
            markChecked(venv, health.checked);
            return { path: venv, key, snapshot: recordVenvContent(venv, this.restoredAt), inputs };
        }
        catch (error) {
            (0,log/* warn */.R8)(`Cache: the venv will not be saved: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
            return undefined;
        }
    }
}

;// CONCATENATED MODULE: ./src/cache/session.ts













const thisMachine = () => ({
    os: (0,platform_os/* currentOs */.UD)(),
    osVersion: (0,platform_os/* currentOsVersion */.W0)(),
    arch: process.arch
});
/**
 * The caches of one run: whether it restores and saves (scope.ts, decided once), the store, and
 * the tiers (the venv, pip's cache) it asks to restore in the main step and to say what the post
 * step saves. The main step asks; the tiers decide.
 */
class CacheSession {
    settings;
    scope;
    store;
    venv;
    pip;
    seed;
    hit = false;
    constructor(settings, scope, store) {
        this.settings = settings;
        this.scope = scope;
        this.store = store;
    }
    /**
     * Opens the store when this run caches at all, before the interpreter is probed, so that loading
     * GitHub's cache client happens while node waits for the probe. Never fails.
     */
    static open(settings) {
        const scope = cacheScope(settings.cache, settings.cacheSave, runEvent(process.env));
        if (scope.off)
            (0,log/* notify */.me)(scope.off);
        const store = scope.restore ? openQuietly(settings.cacheDir) : Promise.resolve(undefined);
        return new CacheSession(settings, scope, store);
    }
    /**
     * Restores what the cache has for this run: the venv with its exact key, then, when the venv
     * must be built, pip's cache. What an interrupted restore of an earlier run left is removed
     * first, whether this run caches or not.
     */
    async restore(request) {
        const { settings } = this;
        discardInterruptedRestore(settings.venvPath);
        const store = await this.store;
        if (!store)
            return { hit: false };
        return timed(request.report, 'restore cache', async () => {
            const { python, fingerprint } = request;
            const keys = cacheKeys(thisMachine(), python, fingerprint, settings.venvPath);
            if (settings.createVenv && request.moving.length === 0) {
                this.venv = new VenvTier({
                    venv: settings.venvPath,
                    key: keys.venv,
                    prefix: keys.venvPrefix,
                    expected: {
                        python: {
                            executable: python.executable,
                            versionText: python.versionText,
                            basePrefix: python.basePrefix
                        },
                        fingerprint
                    },
                    inputs: request.inputs
                });
                this.hit = await this.venv.restore(store);
            }
            const pipDir = pipCacheDirOf(settings.pipArgs, settings.workingDirectory, process.env, external_node_os_.homedir());
            if (pipDir) {
                this.pip = new PipTier(pipDir, keys.pip, keys.pipPrefix);
                if (!this.hit)
                    await this.pip.restore(store);
            }
            return { hit: this.hit, venvKey: this.venv && keys.venv, earlier: this.venv?.earlier };
        });
    }
    /**
     * Restores the tool seed `seed` (install/seed.ts) into `dir`, which holds none, from the newest
     * entry of this machine and seed; true when one was restored.
     */
    async restoreSeed(dir, seed, report) {
        const store = await this.store;
        if (!store)
            return false;
        const tier = new SeedTier(dir, seedKeyPrefix(thisMachine(), seed));
        this.seed = tier;
        return timed(report, 'restore tool seed', () => tier.restore(store));
    }
    /** This run kept a new tool seed where restoreSeed looked, of the tools `tools` names. */
    seedKept(tools) {
        this.seed?.keep(tools);
    }
    /**
     * Once everything is installed: what the post step is to save, if anything. Nothing after a
     * hit or a run that installed nothing, nor with cache-save: false; otherwise what each tier says.
     */
    async toSave(install) {
        const store = await this.store;
        if (!store || this.hit || !install.installed)
            return undefined;
        if (!this.scope.save) {
            (0,log/* info */.pq)('Cache: cache-save is false; nothing is saved.');
            return undefined;
        }
        const state = {
            cacheDir: this.settings.cacheDir,
            venv: await this.venv?.toSave(store, install.pipCheckPassed),
            pip: await this.pip?.toSave(),
            seed: this.seed?.toSave()
        };
        return state.venv || state.pip || state.seed ? state : undefined;
    }
}
async function openQuietly(cacheDir) {
    try {
        return await openStore(cacheDir);
    }
    catch (error) {
        (0,log/* warn */.R8)(`Cache: could not open the cache: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/python/launch.ts
/**
 * Interpreter arguments that run a module of the interpreter's own, never a file of the same name
 * in the working directory: `python -m pip` puts the working directory first on sys.path, so a
 * repository's `pip.py`, `venv.py` or `compileall.py` would run instead. Python 3.11+ has `-P`
 * for that; older interpreters get the same through runpy with that first entry dropped. (The
 * recipe's `pip` script never had the working directory on sys.path either.)
 */
function moduleArgs(python, module) {
    if (python.version.minor >= 11)
        return ['-P', '-m', module];
    return [
        '-c',
        `import runpy, sys; del sys.path[0]; runpy.run_module(${JSON.stringify(module)}, run_name="__main__", alter_sys=True)`
    ];
}

;// CONCATENATED MODULE: ./src/pip/run.ts









/**
 * Settings for the action's own pip runs, on top of the user's configuration: no version check
 * (a network round trip for a warning), no prompts (a hung job), and never a user install.
 * `PIP_USER=0` makes a user install impossible, so a site-packages pip cannot write fails loudly
 * instead of landing in ~/.local. PIP_NO_USER is removed, not set: pip takes its value as the value
 * of --user, so PIP_NO_USER=1 means a user install, and it could come after PIP_USER.
 */
const OWN_PIP_ENV = {
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PIP_USER: '0',
    PIP_NO_USER: undefined,
    // Exported by an earlier venv-guard step; the action's own runs choose their target themselves.
    PIP_REQUIRE_VIRTUALENV: undefined
};
function versionAtLeast(version, minimum) {
    const parts = (text) => text.split('.').map(n => parseInt(n, 10) || 0);
    return (0,version_spec/* compareParts */.ZZ)(parts(version), parts(minimum)) >= 0;
}
/** Wheels of pip (and setuptools) shipped with the interpreter, as ensurepip would install them. */
function bundledWheels(python) {
    const dirs = [external_node_path_.join(python.stdlib, 'ensurepip', '_bundled'), ...(0,platform_os/* systemWheelDirs */.bK)()];
    for (const dir of dirs) {
        let names;
        try {
            names = external_node_fs_.readdirSync(dir);
        }
        catch {
            continue;
        }
        const pip = names.find(n => /^pip-.*\.whl$/.test(n));
        if (!pip)
            continue;
        // ensurepip installs setuptools beside pip up to Python 3.11.
        const others = python.version.minor < 12 ? names.filter(n => /^setuptools-.*\.whl$/.test(n)) : [];
        return { pip: external_node_path_.join(dir, pip), others: others.map(n => external_node_path_.join(dir, n)) };
    }
    return { others: [] };
}
/**
 * The fastest correct pip for a venv that has none yet: the base interpreter's own pip (22.3+,
 * already byte-compiled for this Python) run by the venv's interpreter through pip's
 * `__pip-runner__.py`, which is what `pip --python` does minus one pip start-up; otherwise the pip
 * wheel the interpreter ships, run from the zip.
 */
function pipForNewVenv(python, venv) {
    if (python.pip && versionAtLeast(python.pip.version, '22.3')) {
        const runner = external_node_path_.join(python.pip.location, '__pip-runner__.py');
        const viaRunner = external_node_fs_.existsSync(runner);
        return {
            command: viaRunner ? (0,platform_os/* venvPython */.qb)(venv) : python.executable,
            prefix: viaRunner ? [runner] : [...moduleArgs(python, 'pip'), '--python', (0,platform_os/* venvPython */.qb)(venv)],
            version: python.pip.version,
            label: `pip ${python.pip.version} of ${python.executable}`
        };
    }
    const wheel = bundledWheels(python).pip;
    if (!wheel) {
        throw new diagnostic/* ActionError */.lZ(`${python.executable} has no pip 22.3 or newer and ships no pip wheel, so the venv cannot get pip. Install pip for it (on Debian/Ubuntu: apt-get install python3-pip or python3-venv), or use another interpreter.`);
    }
    const version = /pip-([^-]+)-/.exec(external_node_path_.basename(wheel))?.[1] ?? '';
    return {
        command: (0,platform_os/* venvPython */.qb)(venv),
        prefix: [external_node_path_.join(wheel, 'pip')],
        version,
        label: `pip ${version} from ${wheel}`
    };
}
/** pip as `python -m pip` of an interpreter of `python`'s version (the base or its venv's). */
function pipOf(pythonExecutable, version, python) {
    return {
        command: pythonExecutable,
        prefix: moduleArgs(python, 'pip'),
        version,
        label: `pip ${version} of ${pythonExecutable}`
    };
}
/** pip's options that choose where it installs: `--target`, `--prefix`, `--root`. */
const PLACEMENT_OPTIONS = new Set(['target', 'prefix', 'root']);
/** The variables in `env` that set them (pip lower-cases the name after `PIP_`), sorted. */
function placementVariables(env) {
    return Object.keys(env)
        .filter(name => name.startsWith('PIP_') && PLACEMENT_OPTIONS.has(name.slice(4).toLowerCase()))
        .sort();
}
/**
 * PIP_TARGET, PIP_PREFIX or PIP_ROOT send pip's installs outside the venv (and then its own
 * upgraded pip is not in the venv either): venv-guard's pip runs into a venv drop them, which
 * `runPip` does. Into the interpreter itself, no choice is safe: the step stops before pip runs.
 */
function checkPlacementVariables(config) {
    const names = placementVariables(process.env);
    if (names.length === 0)
        return;
    const list = names.join(', ');
    if (!config.createVenv) {
        throw new diagnostic/* ActionError */.lZ(`${list} set in the environment would make pip install outside the interpreter's site-packages, so venv-guard stopped before running pip. Unset ${list} for this step, or use create-venv: true (the default), where venv-guard ignores them.`, { title: 'venv-guard: pip would install elsewhere' });
    }
    (0,log/* notify */.me)(`${list} ignored for venv-guard's pip runs: they would send packages outside the venv ${config.venvPath}. Later steps still see them.`);
}
/** Runs pip in a collapsible log group, streaming its output, and returns what it printed. */
function runPip(pip, args, title, cwd, env = OWN_PIP_ENV, signal) {
    return (0,log/* group */.Os)(title, () => startPip(pip, args, cwd, env, true, signal));
}
/** Runs pip without a word in the log (another pip run streams meanwhile): see showOutput. */
function runPipQuietly(pip, args, cwd, env) {
    return startPip(pip, args, cwd, env, false);
}
async function startPip(pip, args, cwd, env, stream, signal) {
    const display = (0,secrets/* redactUrlCredentials */.dE)([pip.command, ...pip.prefix, ...args].join(' '));
    const cleared = Object.fromEntries(placementVariables(process.env).map(n => [n, undefined]));
    const result = await (0,platform_process/* run */.eF)(pip.command, [...pip.prefix, ...args], {
        cwd,
        env: { ...cleared, ...env },
        stream,
        display,
        signal
    });
    return {
        exitCode: result.exitCode,
        output: `${result.stdout}\n${result.stderr}`,
        display,
        stopped: result.stopped
    };
}
/**
 * `pip check` with the interpreter's own pip: whether it exited 0, and what it printed when it did
 * not (it can fail without a word: a requirement it cannot parse, an interpreter that stops).
 */
async function pipCheck(python, version) {
    const result = await (0,platform_process/* run */.eF)(python, [...moduleArgs(version, 'pip'), 'check'], { env: OWN_PIP_ENV });
    return { passed: result.exitCode === 0, output: result.exitCode === 0 ? '' : result.stdout };
}

;// CONCATENATED MODULE: ./src/guard/decision.ts
/** pip's strtobool: the words pip takes for a yes/no option; anything else pip itself rejects. */
function pipBool(value) {
    const v = value.trim().toLowerCase();
    if (['y', 'yes', 't', 'true', 'on', '1'].includes(v))
        return true;
    if (['n', 'no', 'f', 'false', 'off', '0'].includes(v))
        return false;
    return undefined;
}
// pip maps each key to an option's destination; `--no-user` is store_false, but from a config
// file or a variable pip assigns the value as it is: PIP_NO_USER=1 means user = 1, a user install.
const DESTINATIONS = {
    user: 'user',
    'no-user': 'user',
    'break-system-packages': 'breakSystemPackages',
    'require-virtualenv': 'requireVirtualenv',
    'require-venv': 'requireVirtualenv'
};
/** The options pip ends up with from its config files and variables: the last setting wins. */
function resolvePipOptions(settings) {
    const options = {};
    for (const s of settings) {
        const value = pipBool(s.value);
        const destination = DESTINATIONS[s.key];
        if (value === undefined || !destination)
            continue;
        const fromEnv = s.section === ':env:';
        options[destination] = {
            value,
            source: fromEnv ? 'env' : 'config',
            where: fromEnv ? s.where : `[${s.section}] of ${s.where}`,
            text: fromEnv ? `${s.where}=${s.value}` : `${s.key} = ${s.value}`
        };
    }
    return options;
}
function pipArgsLocation(args) {
    const location = { breakSystemPackages: false, redirected: false };
    for (const arg of args) {
        const option = arg.split('=')[0];
        if (option === '--user')
            location.user = true;
        else if (option === '--no-user')
            location.user = false;
        else if (option === '--break-system-packages')
            location.breakSystemPackages = true;
        else if (['--target', '--prefix', '--root'].includes(option) || /^-t/.test(arg))
            location.redirected = true;
    }
    return location;
}
/**
 * pip's own order: check_externally_managed first (outside a venv, unless told to break system
 * packages), then decide_user_install: an explicit user setting decides; otherwise a disabled user
 * site means a normal install; otherwise site-packages that are not all writable mean a user one.
 * Being in a venv is not the whole test: one made with --system-site-packages enables the user site.
 */
function decideFallback(facts, pipArgs) {
    const args = pipArgsLocation(pipArgs);
    const options = resolvePipOptions(facts.settings);
    const user = args.user === undefined
        ? options.user
        : {
            value: args.user,
            source: 'pip-args',
            where: 'pip-args',
            text: args.user ? '--user' : '--no-user'
        };
    const decision = {
        reason: '',
        user,
        deliberateUser: user?.source === 'pip-args' && user.value,
        redirected: args.redirected,
        requireVirtualenv: options.requireVirtualenv?.value ? options.requireVirtualenv : undefined
    };
    if (args.redirected)
        return decision;
    const breakSystem = args.breakSystemPackages || options.breakSystemPackages?.value === true;
    if (!facts.inVenv && facts.externallyManaged && !breakSystem)
        return { ...decision, reason: 'externally-managed' };
    if (user) {
        if (user.value && user.source !== 'pip-args')
            return { ...decision, reason: `user-forced-by-${user.source}` };
        return decision;
    }
    if (facts.enableUserSite !== true)
        return decision;
    const blocked = facts.sitePackages.find(s => !s.writable);
    return blocked ? { ...decision, reason: 'site-not-writable', blocked } : decision;
}
/** The short form for the log. */
function describeDecision(facts, decision) {
    const sites = facts.sitePackages
        .map(s => `${s.path} ${s.writable ? 'writable' : `not writable (owner ${s.owner || '?'})`}`)
        .join(', ');
    const parts = [
        `user ${facts.user}`,
        facts.inVenv ? 'in a venv' : 'not in a venv',
        `user site ${facts.enableUserSite === true ? 'enabled' : 'disabled'} (${facts.userSite})`,
        sites,
        facts.externallyManaged ? `externally managed (${facts.externallyManaged.marker})` : '',
        decision.user ? `${decision.user.text} (${decision.user.where})` : '',
        decision.requireVirtualenv
            ? `${decision.requireVirtualenv.text} (${decision.requireVirtualenv.where})`
            : ''
    ].filter(p => p !== '');
    return `${parts.join('; ')} => ${decision.reason || 'no fallback'}`;
}
/** What pip's output tells about where it installed; found in the output, with -q or without. */
function scanPipOutput(output) {
    const signs = [];
    if (/Defaulting to user installation because normal site-packages is not writeable/.test(output))
        signs.push({ kind: 'fallback' });
    if (/externally-managed-environment/.test(output))
        signs.push({ kind: 'externally-managed' });
    for (const m of output.matchAll(/installed in '([^']+)' which is not on PATH/g))
        signs.push({ kind: 'scripts-off-path', dir: m[1] });
    return signs;
}

;// CONCATENATED MODULE: ./src/guard/messages.ts
/** Why, in one sentence part, for the annotation. */
function why(facts, decision) {
    const exe = facts.executable;
    switch (decision.reason) {
        case 'site-not-writable': {
            const b = decision.blocked;
            const tested = b.tested === b.path ? '' : ` (nor is ${b.tested}, the nearest that exists)`;
            return `${b.path}${tested} is not writable by ${facts.user}${b.owner ? ` (it belongs to ${b.owner})` : ''}, so pip would fall back to the user site-packages ${facts.userSite} ("Defaulting to user installation because normal site-packages is not writeable"; with pip install -q not even that is printed)`;
        }
        case 'externally-managed':
            return `${exe} is marked externally managed (PEP 668) by ${facts.externallyManaged?.marker}, so pip refuses to install into it ("error: externally-managed-environment")`;
        case 'user-forced-by-env':
        case 'user-forced-by-config': {
            const u = decision.user;
            const noUser = u.where === 'PIP_NO_USER' || u.text.startsWith('no-user');
            return `${u.text} in ${u.source === 'env' ? 'the environment' : u.where} forces user installs${noUser ? ' (pip takes a no-user value as the value of --user: a true value means a user install)' : ''}, so pip would install into the user site-packages ${facts.userSite}`;
        }
        default:
            return '';
    }
}
/** The fixes, best first: the venv, then the owner (or another interpreter), then on purpose. */
function fixes(facts, decision) {
    const venv = 'use a venv: drop create-venv: false (the default creates one in the workspace)';
    switch (decision.reason) {
        case 'site-not-writable': {
            const owner = decision.blocked?.owner || 'the owner of the interpreter';
            return [
                venv,
                `run the job as ${owner}, who owns ${decision.blocked?.tested}, or use an interpreter ${facts.user} owns (actions/setup-python, pyenv)`,
                `if the user site is what you want, say so: pip-args: --user`
            ];
        }
        case 'externally-managed':
            return [
                venv,
                'use an interpreter the OS does not manage (actions/setup-python, pyenv)',
                'only if breaking the OS-managed Python is acceptable: pip-args: --break-system-packages'
            ];
        default: {
            const u = decision.user;
            return [
                `${venv}; venv-guard overrides ${u.text} for its own pip`,
                u.source === 'env' ? `unset ${u.where}` : `remove ${u.text} from ${u.where}`,
                'if the user site is what you want, say so: pip-args: --user'
            ];
        }
    }
}
/** `pip` on PATH that runs another interpreter: the pip vs python -m pip mix-up. */
function foreignPipNote(facts) {
    const foreign = facts.pipOnPath.filter(p => !p.matches);
    if (foreign.length === 0)
        return '';
    const which = foreign.map(p => `\`${p.command}\` (${p.path}) runs ${p.python}`).join('; ');
    return `On PATH, ${which}, not ${facts.executable}: call \`${facts.executable} -m pip\` instead.`;
}
function fallbackTitle(reason) {
    return reason === 'externally-managed'
        ? 'venv-guard: pip refuses an externally managed Python (PEP 668)'
        : 'venv-guard: pip would fall back to the user site-packages';
}
/** The annotation for an install into the interpreter itself: what, why, the fixes in order. */
function fallbackMessage(facts, decision, outcome) {
    const steps = fixes(facts, decision).map((f, i) => `${i + 1}) ${f}`);
    const note = foreignPipNote(facts);
    const parts = [
        `pip, run with ${facts.executable} (not in a venv) as ${facts.user}, would not install into its site-packages: ${why(facts, decision)}. ${outcome}`
    ];
    if (decision.reason !== 'externally-managed') {
        parts.push(`Packages in the user site are invisible to other users and jobs, and their scripts go to ${facts.userBase}, usually off PATH.`);
    }
    else if (facts.externallyManaged?.error) {
        parts.push(`The distributor says: ${facts.externallyManaged.error.replace(/\s+/g, ' ')}`);
    }
    parts.push(`Fix, in this order: ${steps.join('; ')}.`);
    if (note)
        parts.push(note);
    return parts.join('\n');
}
/** The notice for a venv install: the base interpreter's risk, which this step avoids. */
function baseRiskMessage(facts, decision, venv, requiresVenv) {
    const parts = [
        `pip run with ${facts.executable} outside a venv would not install into its site-packages: ${why(facts, decision)}.`,
        `This step installs into the venv ${venv}, which is not affected; later steps must use the venv's python and pip${requiresVenv ? ' (PIP_REQUIRE_VIRTUALENV=true makes any other pip refuse)' : ''}.`
    ];
    if (decision.reason.startsWith('user-forced')) {
        parts.push(`Inside a venv, ${decision.user?.text} makes pip refuse ("Can not perform a '--user' install"): venv-guard overrode it for its own pip, but later steps' pip will refuse until you ${decision.user?.source === 'env' ? `unset ${decision.user?.where}` : `remove it from ${decision.user?.where}`}.`);
    }
    return parts.join('\n');
}

;// CONCATENATED MODULE: ./src/guard/probe.ts


/** Runs the probe with the interpreter, from a directory outside the workspace. */
async function probeUserSite(executable, cwd, env = {}) {
    // Not isolated (-I): the probe must see the user site as pip does.
    const result = await runHelper([executable], import.meta.url, 'user_site_probe.py', [], {
        cwd,
        env
    });
    if (!result.ok) {
        throw new diagnostic/* ActionError */.lZ(`Checking where pip of ${executable} would install failed: ${result.why}${result.timedOut ? ': the interpreter hangs; fix it or use another one' : ''}.`);
    }
    return result.value;
}

;// CONCATENATED MODULE: ./src/pip/dist-info.ts



/**
 * A dist-info directory's project and version, from its name (`Mixed_Case.Name-1.0.dist-info`,
 * the project normalized); undefined for anything else.
 */
function distInfoName(entry) {
    const m = /^(.+?)-([^-]+)\.dist-info$/.exec(entry);
    return m ? { name: normalizeName(m[1]), version: m[2] } : undefined;
}
/** The dist-info directory of a project at a version in site-packages, if it is there. */
function findDistInfo(sitePackages, dist, listing) {
    let entries;
    try {
        entries = listing ?? external_node_fs_.readdirSync(sitePackages);
    }
    catch {
        return undefined;
    }
    return entries.find(entry => {
        const parsed = distInfoName(entry);
        return parsed?.name === normalizeName(dist.name) && parsed.version === dist.version;
    });
}
/**
 * The paths a dist-info directory's RECORD lists (its first column, relative to site-packages;
 * a path with a comma stays quoted), or undefined where it has no readable RECORD.
 */
function recordPaths(sitePackages, distInfo) {
    try {
        return external_node_fs_.readFileSync(external_node_path_.join(sitePackages, distInfo, 'RECORD'), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map(line => line.split(',')[0]);
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/pip/plan.ts





/**
 * The pip runs that turn the target into what the recipe leaves: `python -m venv` (the bundled
 * pip) and `pip install -U <upgrade>`, which read no requirement file, then `pip install -r ...`
 * by the pip the upgrade left. Two runs, never one: a file's options (`--no-index`, `--index-url`,
 * `-c`, `--pre`) must not steer the upgrade, and only the upgraded pip knows what newer pips
 * accept. `pip-args` go to both, as documented.
 */
function planPipRuns(request) {
    const common = [...(request.deferCompile ? ['--no-compile'] : []), ...request.pipArgs];
    const requirements = [
        ...request.requirementFiles.flatMap(file => ['-r', file]),
        ...request.groups.flatMap(group => ['--group', group]),
        ...request.packages
    ];
    const constraints = request.constraintFiles.flatMap(file => ['-c', file]);
    // A fresh venv gets what `upgrade` names, and the bundled wheels of the projects it does not name.
    const named = new Set(request.upgrade.map(projectOf));
    const upgrade = request.freshVenv
        ? [...request.upgrade, ...request.bundledWheels.filter(w => !named.has(projectOf(w)))]
        : request.upgrade;
    const runs = [];
    if (upgrade.length > 0) {
        runs.push({
            kind: 'upgrade',
            title: `Upgrade ${upgrade.map(u => external_node_path_.basename(u)).join(' ')}`,
            args: ['install', ...common, ...(request.freshVenv ? upgrade : ['--upgrade', ...upgrade])],
            pip: request.freshVenv ? 'bootstrap' : 'target'
        });
    }
    if (requirements.length > 0) {
        // A fresh venv has a pip of its own once the first run put one there (none without any wheel).
        const pipInstalled = upgrade.some(u => projectOf(u) === 'pip');
        runs.push({
            kind: 'requirements',
            title: 'Install the requirements',
            args: ['install', ...common, ...constraints, ...requirements],
            pip: request.freshVenv && !pipInstalled ? 'bootstrap' : 'target'
        });
    }
    return runs;
}
/** Whether the user asked pip not to compile (then neither does the action). */
function compileDisabled(pipArgs, env) {
    const flag = (env.PIP_NO_COMPILE ?? '').toLowerCase();
    return pipArgs.includes('--no-compile') || ['1', 'true', 'yes', 'on'].includes(flag);
}
/** Versions of the named distributions in a site-packages directory, read from dist-info names. */
function installedVersions(sitePackages, names) {
    const wanted = new Set(names.map(normalizeName));
    const versions = {};
    let entries = [];
    try {
        entries = external_node_fs_.readdirSync(sitePackages);
    }
    catch {
        return versions;
    }
    for (const entry of entries) {
        const dist = distInfoName(entry);
        if (dist && wanted.has(dist.name))
            versions[dist.name] = dist.version;
    }
    return versions;
}
function reportPath(index) {
    return external_node_path_.join((0,platform_process/* scratchDir */.GA)(), `venv-guard-report-${process.pid}-${index}.json`);
}

;// CONCATENATED MODULE: ./src/guard/site.ts




/** Whether a directory is inside another (or is it). */
function isInside(dir, parent) {
    const relative = external_node_path_.relative(parent, dir);
    return relative === '' || (!relative.startsWith('..') && !external_node_path_.isAbsolute(relative));
}
/** The distributions (`*.dist-info`, `*.egg-info`) in a site-packages directory, by entry name. */
function distributionEntries(dir) {
    try {
        return external_node_fs_.readdirSync(dir)
            .filter(e => /\.(dist|egg)-info$/.test(e))
            .sort();
    }
    catch {
        return [];
    }
}
/** `alpha-2.0.0.dist-info` -> `alpha 2.0.0`. */
function distributionLabel(entry) {
    const m = /^(.+?)-([^-]+?)(-py[^-]*)?\.(dist|egg)-info$/.exec(entry);
    return m ? `${m[1]} ${m[2]}` : entry;
}
function addedEntries(before, after) {
    const seen = new Set(before);
    return after.filter(e => !seen.has(e));
}
/** Installed distributions that are in none of the target's site-packages directories. */
function misplaced(installed, dirs) {
    const names = installed.map(p => p.name);
    const found = dirs.map(d => installedVersions(d, names));
    const same = (a, b) => a !== undefined && a.toLowerCase().replace(/-/g, '_') === b.toLowerCase().replace(/-/g, '_');
    return installed.filter(p => !found.some(v => same(v[normalizeName(p.name)], p.version)));
}

;// CONCATENATED MODULE: ./src/guard/step.ts









const LANDED_TITLE = 'venv-guard: packages landed in the user site-packages';
/**
 * Whether later steps get PIP_REQUIRE_VIRTUALENV=true: only beside the activated venv. Without a
 * venv, later steps' pip is meant to run outside one; with activate: false, later steps keep their
 * environment as it was (the venv is reached through the python-path output), so a pip of theirs
 * outside the venv must work as it would without this action, not exit 3.
 */
function guardsLaterPip(config) {
    return config.guardLaterSteps && config.createVenv && config.activate;
}
/**
 * Starts the user-site check of the interpreter the probe will most likely choose (see
 * likelyPython), beside that probe: it depends on nothing else. start() takes it only for that
 * very command; a failure here is left to the check start() then makes.
 */
function checkEarly(command) {
    if (!command)
        return undefined;
    return { command, facts: probeUserSite(command, (0,platform_process/* scratchDir */.GA)()).catch(() => undefined) };
}
/**
 * The user-site guard of one run: checks before pip runs, reads pip's output during, and verifies
 * after, each step applying `on-user-site`.
 */
class UserSiteGuard {
    config;
    facts;
    decision;
    before;
    /** The user site's entries as last seen: at the start, then after the installs. */
    entries;
    warned = false;
    constructor(config, facts, decision) {
        this.config = config;
        this.facts = facts;
        this.decision = decision;
        this.before = distributionEntries(facts.userSite);
        this.entries = this.before;
    }
    /**
     * The user-site facts of `python`, checked now unless the early check checked that very
     * interpreter. Runs beside whatever comes next; start() takes the result.
     */
    static check(python, early) {
        const ahead = early?.command === python.executable ? early.facts : Promise.resolve(undefined);
        const facts = ahead.then(found => found ?? probeUserSite(python.executable, (0,platform_process/* scratchDir */.GA)()));
        facts.catch(() => undefined); // awaited by the caller, which tells a failure
        return facts;
    }
    static start(config, python, report, facts) {
        // pip's configuration files can hold index credentials: masked before anything prints them.
        for (const setting of facts.settings)
            (0,secrets/* maskUrlCredentials */.gn)(setting.value);
        const decision = decideFallback(facts, config.pipArgs);
        const verdict = describeDecision(facts, decision);
        (0,log/* info */.pq)(`User-site check of ${python.executable}: ${verdict}`);
        report.guard = {
            verdict: decision.reason ? 'pip would not install into site-packages' : 'clean',
            reason: decision.reason || verdict
        };
        const foreign = foreignPipNote(facts);
        if (foreign)
            (0,log/* info */.pq)(foreign);
        return new UserSiteGuard(config, facts, decision);
    }
    /** Whether pip would not install into site-packages, and why (a fallback-reason value, or ''). */
    get fallbackReason() {
        return this.decision.reason;
    }
    /** What the post step's audit compares against; undefined with guard-later-steps: false. */
    auditState() {
        if (!this.config.guardLaterSteps)
            return undefined;
        return { userSite: this.facts.userSite, entries: this.entries, policy: this.config.onUserSite };
    }
    /**
     * Says what the prediction means for this step before pip runs: a note beside a venv, or, without
     * one, on-user-site applied (fail stops the step here).
     */
    checkBeforePip() {
        const { config, facts, decision } = this;
        if (config.createVenv && decision.user?.value && decision.user.source !== 'pip-args') {
            (0,log/* info */.pq)(`venv-guard runs its own pip with PIP_USER=0 and without PIP_NO_USER, overriding ${decision.user.text} (${decision.user.where}): inside a venv it makes pip refuse to install.`);
        }
        if (decision.reason === '')
            return;
        if (config.createVenv) {
            const message = baseRiskMessage(facts, decision, config.venvPath, guardsLaterPip(config));
            if (config.onUserSite === 'ignore')
                return (0,log/* info */.pq)(message);
            (0,log/* notify */.me)(message, { title: fallbackTitle(decision.reason) });
            return;
        }
        const outcome = {
            fail: 'Stopped before running pip (on-user-site: fail), so nothing was installed.',
            warn: 'Going on, as on-user-site is warn.',
            ignore: 'Going on, as on-user-site is ignore.'
        }[config.onUserSite];
        this.apply(fallbackMessage(facts, decision, outcome), fallbackTitle(decision.reason));
    }
    /** Applies on-user-site: fail stops the step, warn annotates, ignore only logs. */
    apply(message, title) {
        if (this.config.onUserSite === 'fail')
            throw new diagnostic/* ActionError */.lZ(message, { title });
        if (this.config.onUserSite === 'ignore')
            return (0,log/* info */.pq)(message);
        (0,log/* warn */.R8)(message, { title });
        this.warned = true;
    }
    /**
     * The variables for the action's own pip. In a venv, and with on-user-site: fail, a user install
     * is forbidden, so a fallback fails loudly. Installing into the interpreter with warn or ignore,
     * the user has accepted the fallback: pip decides with the user's own settings, as it would alone.
     */
    pipEnv() {
        if (this.config.createVenv || this.config.onUserSite === 'fail')
            return OWN_PIP_ENV;
        return { ...OWN_PIP_ENV, PIP_USER: process.env.PIP_USER, PIP_NO_USER: process.env.PIP_NO_USER };
    }
    /** Reads one pip run's output for a fallback or a refusal, even when pip exited 0. */
    checkPipRun(result, title) {
        const signs = scanPipOutput(result.output);
        if (result.exitCode !== 0 && signs.some(s => s.kind === 'externally-managed')) {
            const decision = { ...this.decision, reason: 'externally-managed' };
            throw new diagnostic/* ActionError */.lZ(fallbackMessage(this.facts, decision, `pip refused during "${title}".`), { title: fallbackTitle('externally-managed') });
        }
        if (this.decision.deliberateUser)
            return;
        const offPath = [...new Set(signs.flatMap(s => (s.kind === 'scripts-off-path' ? [s.dir] : [])))];
        const userScripts = offPath.filter(d => isInside(d, this.facts.userBase));
        for (const dir of offPath.filter(d => !userScripts.includes(d))) {
            (0,log/* warn */.R8)(`pip put scripts into ${dir}, which is not on PATH: later steps cannot run them by name.`);
        }
        if (!signs.some(s => s.kind === 'fallback') && userScripts.length === 0)
            return;
        const message = `pip fell back to the user site-packages ${this.facts.userSite} during "${title}"${userScripts.length > 0 ? `, and put scripts into ${userScripts.join(', ')}, off PATH` : ''}.`;
        // A fallback already announced and accepted needs no second annotation for each run.
        if (this.warned)
            (0,log/* info */.pq)(message);
        else
            this.apply(message, LANDED_TITLE);
    }
    /**
     * After the installs: everything pip installed is in the target's site-packages, and the user
     * site gained nothing. Then later steps are guarded.
     */
    finish(sitePackages, installed) {
        const { facts, decision } = this;
        const after = distributionEntries(facts.userSite);
        const gained = decision.deliberateUser ? [] : addedEntries(this.before, after);
        const target = [...new Set(decision.deliberateUser ? [facts.userSite] : sitePackages)];
        // What is missing from the target and not in the user site either went somewhere else.
        const lost = decision.redirected ? [] : misplaced(installed, target);
        const elsewhere = decision.deliberateUser ? lost : misplaced(lost, [facts.userSite]);
        const clean = gained.length === 0 && lost.length === 0;
        if (clean) {
            // A cache hit or a current venv installs nothing: "0 distributions" would read as a failure.
            const what = installed.length === 0
                ? 'nothing was installed this run into'
                : `${installed.length} distribution${installed.length === 1 ? '' : 's'} in`;
            (0,log/* info */.pq)(`Clean install: ${what} ${target.join(', ')}${decision.deliberateUser ? ', the user site, as pip-args ask' : '; the user site-packages gained nothing'}.`);
        }
        else {
            const problems = [
                gained.length > 0
                    ? `the user site-packages ${facts.userSite} gained ${gained.map(distributionLabel).join(', ')}`
                    : '',
                elsewhere.length > 0
                    ? `${elsewhere.map(p => `${p.name} ${p.version}`).join(', ')} ended up neither there nor in ${target.join(', ')}`
                    : ''
            ].filter(p => p !== '');
            this.apply(`This step's install is not clean, not all in ${target.join(', ')}: ${problems.join('; ')}.`, LANDED_TITLE);
        }
        this.entries = after;
        if (!guardsLaterPip(this.config))
            return { clean };
        (0,log/* info */.pq)('Exported PIP_REQUIRE_VIRTUALENV=true: pip in later steps refuses to run outside a venv (exit 3) instead of falling back to the user site-packages.');
        return { clean, laterSteps: { variables: { PIP_REQUIRE_VIRTUALENV: 'true' }, path: [] } };
    }
}

;// CONCATENATED MODULE: ./src/pip/pylock.ts



/**
 * PEP 751 lock files, which pip 26.1+ installs with `-r pylock.toml`. pip checks them itself
 * (it says which `packages[N].field` is wrong, or which package it could not install, but gives no
 * line); here the lock's packages become entries with the line of their `name`, so that pip's
 * failures land on the package's entry, and pip's paths are turned into lines.
 */
/** pip's rule (packaging's is_valid_pylock_path): pylock.toml or pylock.NAME.toml. */
function isPylockFile(file) {
    const name = external_node_path_.basename(file);
    return name === 'pylock.toml' || /^pylock\.[^.]+\.toml$/.test(name);
}
const isTable = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A package's `path` sources, resolved against the lock's directory (PEP 751). */
function localSources(entry, dir) {
    const pathOf = (source) => isTable(source) && typeof source.path === 'string' ? external_node_path_.resolve(dir, source.path) : undefined;
    const directory = entry.directory;
    const found = [];
    const directoryPath = pathOf(directory);
    if (directoryPath) {
        if (isTable(directory) && directory.editable === true)
            found.push('-e');
        found.push(directoryPath);
    }
    const wheels = Array.isArray(entry.wheels) ? entry.wheels : [];
    for (const source of [entry.archive, entry.sdist, ...wheels]) {
        const file = pathOf(source);
        if (file)
            found.push(file);
    }
    return found;
}
/** The sources of packages[i] that name a url or path (PEP 751: at most one of each but wheels). */
function sourcesOf(doc, entry, i, dir) {
    if (typeof entry.name !== 'string')
        return [];
    const name = normalizeName(entry.name);
    const wheels = Array.isArray(entry.wheels) ? entry.wheels : [];
    const places = [
        ...['directory', 'vcs', 'archive', 'sdist'].map((key) => [
            [key],
            entry[key]
        ]),
        ...wheels.map((wheel, j) => [['wheels', j], wheel])
    ];
    return places.flatMap(([at, source]) => {
        if (!isTable(source))
            return [];
        const key = typeof source.url === 'string' ? 'url' : typeof source.path === 'string' ? 'path' : undefined;
        if (!key)
            return [];
        const target = key === 'url' ? source.url : external_node_path_.resolve(dir, source.path);
        return [{ name, line: nearestLine(doc, ['packages', i, ...at, key]) ?? 1, target }];
    });
}
/** The lock file's packages, or its TOML syntax error on its line (pip reads it as UTF-8). */
function readPylock(file, bytes) {
    const doc = readTomlFile(file, bytes);
    if (!('value' in doc))
        return doc;
    const packages = Array.isArray(doc.value.packages) ? doc.value.packages : [];
    const entries = packages.flatMap((entry, i) => {
        const { name, version, marker } = (entry ?? {});
        if (typeof name !== 'string')
            return [];
        return [
            {
                file,
                line: nearestLine(doc, ['packages', i, 'name']) ?? 1,
                kind: 'requirement',
                text: typeof version === 'string' ? `${name}==${version}` : name,
                name: normalizeName(name),
                ...(typeof marker === 'string' ? { marker } : {}),
                constraint: false
            }
        ];
    });
    const dir = external_node_path_.dirname(file);
    const local = packages.flatMap(entry => (isTable(entry) ? localSources(entry, dir) : []));
    const sources = packages.flatMap((entry, i) => isTable(entry) ? sourcesOf(doc, entry, i, dir) : []);
    return { file, doc, entries, localSources: local, sources };
}
/** Where in a lock file pip's words point: a `packages[N]...` path, a package, or a top-level key. */
function lineFor(lock, reason) {
    const tomlPath = /(?:in|at) '?(packages\[\d+\][\w.[\]-]*)'?/.exec(reason)?.[1];
    if (tomlPath) {
        const at = parseTomlPath(tomlPath);
        // A whole package (`at packages[2]`) is shown on its name.
        return nearestLine(lock.doc, at.length === 2 ? [...at, 'name'] : at) ?? 1;
    }
    const syntax = /\(at line (\d+), column \d+\)/.exec(reason);
    if (syntax)
        return Number(syntax[1]);
    const key = /in '([\w-]+)'/.exec(reason)?.[1];
    const topLevel = [
        [/pylock version/, 'lock-version'],
        [/Python version requirement/, 'requires-python'],
        [/environments specified in the lock file/, 'environments']
    ];
    const named = key ?? topLevel.find(([re]) => re.test(reason))?.[1];
    return (named ? lock.doc.lineOf([named]) : undefined) ?? 1;
}
/**
 * pip's complaints about lock files (pip 26), each on the lock's line it concerns. Hash and
 * resolver failures name the package and are found by name with the lock's entries.
 */
function pylockFailures(output, locks, cwd) {
    const byFile = (named) => locks.find(l => l.file === external_node_path_.resolve(cwd, named));
    return output.split(/\r?\n/).flatMap((text) => {
        const whole = /^ERROR: (?:Invalid pylock file|Cannot select requirements from pylock file|Error reading pylock file) '(.+?)': (.*)$/.exec(text);
        if (whole) {
            const lock = byFile(whole[1]);
            if (!lock)
                return [];
            const message = `pip cannot use this lock file: ${whole[2]}. Fix it here, or lock again.`;
            return [{ file: lock.file, line: lineFor(lock, whole[2]), message }];
        }
        const locked = /^ERROR: Could not install locked package '(.+?)' from '(.+?)': (.*)$/.exec(text);
        if (locked) {
            const lock = byFile(locked[2]);
            const entry = lock?.entries.find(e => e.name === normalizeName(locked[1]));
            if (!lock || !entry)
                return [];
            const message = `pip could not install the locked package ${locked[1]}: ${locked[3]}. Fix the entry, or lock again.`;
            return [{ file: lock.file, line: entry.line, message }];
        }
        const other = /^ERROR: The requirement (\S+?)==(\S+) is not compatible with version (\S+) specified in a provided lock file$/.exec(text);
        if (other) {
            const name = normalizeName(other[1]);
            const entry = locks.flatMap(l => l.entries).find(e => e.name === name);
            if (!entry)
                return [];
            const message = `The lock pins ${other[1]} ${other[2]}, but the file it names for it is version ${other[3]}. Lock again, or fix the entry's file name or URL.`;
            return [{ file: entry.file, line: entry.line, message }];
        }
        return [];
    });
}

// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __nccwpck_require__(3136);
;// CONCATENATED MODULE: ./src/pip/local-source.ts



/**
 * The one owner of "what on this machine does a requirement name": a local directory, a local
 * archive, or nothing local (an index name, a remote URL). The parser, the venv's fingerprint
 * and the cache decision all ask here, so they cannot disagree.
 */
/** pip's archive extensions: such a name is a file, whatever else it looks like. */
const ARCHIVE_NAME = /\.(whl|zip|tar|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar\.lz|tlz|tar\.lzma)(\[[^\]]*\])?$/i;
const REMOTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
/**
 * The path a requirement line or `packages` argument names, by path or `file:` URL, as written
 * (relative paths are pip's working directory's); undefined for anything else.
 */
function localPathOf(text) {
    const target = text
        .replace(/^(-e|--editable)(\s+|=)/, '')
        .replace(/^[A-Za-z0-9._-]+\s*(\[[^\]]*\])?\s*@\s*/, '')
        .replace(/\s+--?\w.*$/, '')
        .replace(/\s*;.*$/, '')
        .replace(/\[[^\]]*\]$/, '')
        .trim();
    if (/^file:/i.test(target)) {
        try {
            return (0,external_node_url_.fileURLToPath)(target.replace(/#.*$/, ''));
        }
        catch {
            return undefined;
        }
    }
    return /^(\.|\/|~|[A-Za-z]:[\\/])|[\\/]/.test(target) && !REMOTE_URL.test(target)
        ? target
        : undefined;
}
/** A VCS URL not pinned to a full commit: what it installs can change under the same text. */
function isUnpinnedVcs(text) {
    const target = text.includes(' @ ') ? text.slice(text.indexOf(' @ ') + 3).trim() : text;
    return /^(git|hg|svn|bzr)\+/i.test(target) && !/@[0-9a-f]{40}(#|$)/i.test(target);
}
function pathKind(file) {
    try {
        const stat = external_node_fs_.statSync(file);
        return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : undefined;
    }
    catch {
        return undefined;
    }
}
/** What a requirement names on this machine, resolved against pip's working directory. */
function localSourceOf(text, cwd, kindOf = pathKind) {
    const named = localPathOf(text);
    if (named === undefined)
        return undefined;
    const resolved = external_node_path_.resolve(cwd, named);
    const kind = kindOf(resolved);
    if (kind === 'directory')
        return { kind: 'directory', path: resolved };
    if (kind === 'file' && ARCHIVE_NAME.test(resolved))
        return { kind: 'archive', path: resolved };
    return { kind: 'missing', path: resolved };
}

;// CONCATENATED MODULE: ./src/pip/markers.ts
/**
 * PEP 508 environment markers, checked as the pips still in use parse them: a line whose marker
 * no pip parses is a problem on that line before pip runs (pip 23 crashes on it with
 * InvalidMarker and pip 26 does not quote it, so pip's own message points nowhere). A marker any
 * pip takes is left to pip.
 */
/** Python's str.expandtabs(): tab stops every 8 columns. */
function expandTabs(text) {
    let out = '';
    let column = 0;
    for (const ch of text) {
        const width = ch === '\t' ? 8 - (column % 8) : 1;
        out += ch === '\t' ? ' '.repeat(width) : ch;
        column += width;
    }
    return out;
}
/**
 * packaging 21.3 (pip 23): pyparsing literals, which match a prefix with no word boundary, so
 * `python_versionin "3"` and `"3" andextra == "x"` parse; `not in` with exactly one space, after
 * pyparsing has expanded the tabs (so `not\tin` parses only where that tab is one column wide).
 */
const PACKAGING_21 = {
    prepare: expandTabs,
    space: /[ \t\n\r]*/y,
    open: /\(/y,
    close: /\)/y,
    variable: /implementation_version|platform_python_implementation|implementation_name|python_full_version|platform_release|platform_version|platform_machine|platform_system|python_version|sys_platform|os_name|os\.name|sys\.platform|platform\.version|platform\.machine|platform\.python_implementation|python_implementation|extra/y,
    string: /'[^'\n\r]*'|"[^"\n\r]*"/y,
    op: /===|==|>=|<=|!=|~=|>|<|not in|in/y,
    boolop: /and|or/y
};
/** A Python string literal in `quote`s whose escapes are all valid (\N{...} names unchecked). */
function pythonString(quote) {
    const escape = String.raw `\\(?:x[\da-fA-F]{2}|u[\da-fA-F]{4}|U(?:000[\da-fA-F]|0010)[\da-fA-F]{4}|N\{[^}]*\}|[^xuUN${quote}])`;
    return String.raw `${quote}(?:[^${quote}\\]|${escape})*${quote}`;
}
/**
 * packaging 22 and later (pip 24 on): a tokenizer with word boundaries, PEP 751's two variables,
 * and strings read as Python literals (`"3\"` or `"\x4"` crash it with a SyntaxError).
 */
const PACKAGING_22 = {
    prepare: marker => marker,
    space: /[ \t]*/y,
    open: /\(/y,
    close: /\)/y,
    variable: /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
    string: new RegExp(`${pythonString("'")}|${pythonString('"')}`, 'y'),
    op: /===|==|~=|!=|<=|>=|<|>|\bin\b|\bnot[ \t]+in\b/y,
    boolop: /\b(?:or|and)\b/y
};
/** Whether the grammar parses the whole marker: atom (boolop atom)*, atom = ( marker ) | var op var. */
function parses(text, dialect) {
    const marker = dialect.prepare(text);
    let at = 0;
    const take = (token) => {
        dialect.space.lastIndex = at;
        dialect.space.test(marker);
        token.lastIndex = dialect.space.lastIndex;
        if (!token.test(marker))
            return false;
        at = token.lastIndex;
        return true;
    };
    const value = () => take(dialect.variable) || take(dialect.string);
    const atom = () => take(dialect.open)
        ? expression() && take(dialect.close)
        : value() && take(dialect.op) && value();
    const expression = () => {
        if (!atom())
            return false;
        while (take(dialect.boolop))
            if (!atom())
                return false;
        return true;
    };
    return expression() && take(/$/y);
}
/** Whether some pip parses this marker (the text after a requirement's `;`, stripped). */
function isValidMarker(marker) {
    return parses(marker, PACKAGING_21) || parses(marker, PACKAGING_22);
}

;// CONCATENATED MODULE: ./src/pip/options.ts
/**
 * The options of a requirements-file line, parsed as pip parses them: Python's optparse over the
 * options pip takes in a file. Which options exist differs between pips, so the table is their
 * union from pip 22 to 26: a line that parses here may still be refused by an older pip, and
 * that is left to pip.
 */
/** Long option -> whether it takes a value. */
const LONG = {
    '--index-url': true,
    '--pypi-url': true,
    '--extra-index-url': true,
    '--no-index': false,
    '--constraint': true,
    '--requirement': true,
    '--editable': true,
    '--find-links': true,
    '--no-binary': true,
    '--only-binary': true,
    '--prefer-binary': false,
    '--require-hashes': false,
    '--no-require-hashes': false,
    '--pre': false,
    '--all-releases': true,
    '--only-final': true,
    '--trusted-host': true,
    '--use-feature': true,
    '--install-option': true,
    '--global-option': true,
    '--hash': true,
    '--config-settings': true
};
/** Every short option pip takes in a file takes a value. */
const SHORT = {
    '-i': '--index-url',
    '-c': '--constraint',
    '-r': '--requirement',
    '-e': '--editable',
    '-f': '--find-links',
    '-C': '--config-settings'
};
/**
 * optparse's _match_abbrev: an option written in full, or a prefix of exactly one option
 * (`--requirem` is --requirement; `--re` could be --requirement or --require-hashes).
 */
function longOption(written) {
    if (written in LONG)
        return written;
    const matches = Object.keys(LONG).filter(option => option.startsWith(written));
    return matches.length === 1 ? matches[0] : undefined;
}
/**
 * The values given to options that take one (by long name, in order), as optparse reads the
 * shell-split words: `-rfile`, `-r file`, `--requirement=file`, `--requirem file`; a word after
 * such an option is its value even if it starts with `-`; `--` ends the options. An option
 * unknown here or ambiguous is skipped: pip refuses the line then (or, being newer than this
 * table, knows it), and says why.
 */
function parseOptions(words) {
    const values = new Map();
    const rest = [...words];
    while (rest.length > 0) {
        const word = rest.shift();
        if (word === '--')
            break;
        let option;
        let value;
        if (word.startsWith('--')) {
            const equals = word.indexOf('=');
            option = longOption(equals === -1 ? word : word.slice(0, equals));
            if (option === undefined || !LONG[option])
                continue;
            value = equals === -1 ? rest.shift() : word.slice(equals + 1);
        }
        else if (word.startsWith('-') && word.length > 1) {
            // Every short option takes a value: the rest of the word, else the next word.
            option = SHORT[word.slice(0, 2)];
            if (option === undefined)
                continue;
            value = word.length > 2 ? word.slice(2) : rest.shift();
        }
        if (option !== undefined && value !== undefined) {
            values.set(option, [...(values.get(option) ?? []), value]);
        }
    }
    return values;
}

;// CONCATENATED MODULE: ./src/pip/requirement-line.ts





/** Python's str.splitlines: these are all line breaks to pip, and no empty last line. */
function splitLines(content) {
    // eslint-disable-next-line no-control-regex -- the file separators are line breaks to Python
    const lines = content.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/);
    if (lines.length > 0 && lines[lines.length - 1] === '')
        lines.pop();
    return lines;
}
/** Python's whitespace (str.isspace, and `\s` in its regular expressions), which JavaScript's `\s` is not. */
const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const COMMENT = new RegExp(`(^|${PY_SPACE}+)#.*$`);
const IS_COMMENT_LINE = new RegExp(`^${PY_SPACE}*#`);
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');
/** Python's str.strip(). */
function pyStrip(text) {
    return text.replace(PY_STRIP, '');
}
/**
 * Joins `\` continuations (a comment line ends one and never continues), strips comments and
 * blank lines, keeping the first physical line's number; as pip's join_lines and ignore_comments.
 */
function logicalLines(content) {
    const joined = [];
    let pending;
    splitLines(content).forEach((raw, index) => {
        const continues = raw.endsWith('\\') && !IS_COMMENT_LINE.test(raw);
        const text = continues
            ? raw.replace(/^\\+|\\+$/g, '')
            : IS_COMMENT_LINE.test(raw)
                ? ` ${raw}`
                : raw;
        pending = pending
            ? { line: pending.line, text: pending.text + text }
            : { line: index + 1, text };
        if (!continues) {
            joined.push(pending);
            pending = undefined;
        }
    });
    if (pending)
        joined.push(pending);
    return joined
        .map(({ line, text }) => ({ line, text: pyStrip(text.replace(COMMENT, '')) }))
        .filter(({ text }) => text !== '');
}
const VARIABLE = /\$\{([A-Z0-9_]+)\}/g;
/** `${NAME}` (upper case, digits, `_`) as pip expands it; unset or empty variables stay as they are. */
function expandVariables(text, env) {
    return text.replace(VARIABLE, (match, name) => env[name] || match);
}
/** The names of the variables a line uses. */
function variablesOf(text) {
    return [...text.matchAll(VARIABLE)].map(m => m[1]);
}
/** pip's break_args_options: the requirement is every word before the first one starting with `-`. */
function breakArgsOptions(text) {
    const tokens = text.split(' ');
    const first = tokens.findIndex(token => token.startsWith('-'));
    if (first === -1)
        return { args: text, options: '' };
    return { args: tokens.slice(0, first).join(' '), options: tokens.slice(first).join(' ') };
}
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
/**
 * A version clause as the most lenient pip still in use takes it: pip 23's packaging 21.3 allows
 * legacy versions (any run of characters but `,;)` and space, even none, `(` included), so
 * `foo>=1.0<2.0`, `foo!=(` and `foo==${VERSION}` are pip's to judge, not ours.
 */
const VERSION_CLAUSE = '(?:===|==|!=|<=|>=|~=|<|>)\\s*[^,;\\s)]*';
const NAMED_REQUIREMENT = new RegExp(`^(${NAME})\\s*(?:\\[[^\\]]*\\])?\\s*` +
    `(?:@\\s*\\S+\\s*|\\(?\\s*(?:${VERSION_CLAUSE}(?:\\s*,\\s*${VERSION_CLAUSE})*)?\\s*\\)?)?` +
    `\\s*(?:;.*)?$`);
const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;
/**
 * Whether pip looks what a requirement entry asks for up by name on an index: not an editable, a
 * URL (`name @ url` too), an archive or a path. Other entries (options, includes) ask for nothing.
 */
function byName(entry) {
    if (entry.kind === 'editable')
        return false;
    if (entry.kind !== 'requirement')
        return true;
    const requirement = pyStrip(breakArgsOptions(entry.text).args).split(/\s*;/)[0];
    return (NAMED_REQUIREMENT.test(requirement) &&
        !requirement.includes('@') &&
        !URL_START.test(requirement) &&
        !ARCHIVE_NAME.test(requirement));
}
function looksLikeUrlOrPath(text) {
    return URL_START.test(text) || /^[.~]|[/\\]|^[A-Za-z]:/.test(text);
}
function nameFromUrl(text) {
    const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(text);
    if (egg)
        return normalizeName(egg[1]);
    const wheel = /([A-Za-z0-9_.]+)-[^-/]+(-[^-/]+)?-[^-/]+-[^-/]+-[^-/]+\.whl$/.exec(text);
    return wheel ? normalizeName(wheel[1]) : undefined;
}
function classifyOptions(text, options) {
    let words;
    try {
        words = splitWords(options, { shlex: true });
    }
    catch (error) {
        return {
            problem: `"${options}" cannot be split into options (${error.message})`
        };
    }
    const values = parseOptions(words);
    const [include] = values.get('--requirement') ?? [];
    const [constraint] = values.get('--constraint') ?? [];
    const [editable] = values.get('--editable') ?? [];
    // As pip's ParsedLine: a line with `-e` is an editable requirement, and its -r/-c are ignored;
    // of several includes the first -r is followed, else the first -c.
    if (editable === undefined && (include !== undefined || constraint !== undefined)) {
        const named = include ?? constraint;
        if (named === '')
            return { problem: `"${text}" names no file` };
        return {
            entry: { kind: include !== undefined ? 'include' : 'constraint', text, target: named }
        };
    }
    if (editable !== undefined) {
        if (editable === '')
            return { problem: `"${text}" names no project to install` };
        return { entry: { kind: 'editable', text, name: nameFromUrl(editable) } };
    }
    // Other options differ between pip versions; pip itself says which it does not know.
    return { entry: { kind: 'option', text } };
}
/** The schemes pip's is_url knows (pip/_internal/vcs): a requirement that is such a URL. */
const PIP_URL = /^(?:https?|file|ftp|bzr\+(?:https?|ssh|sftp|ftp|lp|file)|git\+(?:https?|ssh|git|file)|hg\+(?:file|https?|ssh|static-http)|svn\+(?:ssh|https?|svn|file)):/i;
/**
 * The marker of a requirement as pip's parse_req_from_line finds it: after the first `;`, or the
 * first `; ` when the requirement is a URL (whose own `;` are not markers); stripped.
 */
function markerOf(requirement) {
    const separator = PIP_URL.test(requirement) ? '; ' : ';';
    const at = requirement.indexOf(separator);
    return at === -1 ? undefined : pyStrip(requirement.slice(at + separator.length));
}
function classify(text) {
    const { args, options } = breakArgsOptions(text);
    if (args === '')
        return classifyOptions(text, options);
    // Every pip parses the marker first, whatever the requirement is; an empty one is none.
    const marker = markerOf(args);
    if (marker && !isValidMarker(marker)) {
        return {
            problem: `"${marker}" is not a valid environment marker (expected e.g. python_version >= "3.9" or sys_platform == "linux", joined with and/or)`
        };
    }
    const requirement = pyStrip(args);
    // pip takes an archive name as a file, unless it is `name @ url` (what precedes `@` is no path).
    const archive = ARCHIVE_NAME.test(requirement.split(/\s*;/)[0]) && !/^[^@/\\.][^@/\\]*@/.test(requirement);
    const withMarker = marker ? { marker } : {};
    if (URL_START.test(requirement) || archive) {
        return { entry: { kind: 'requirement', text, name: nameFromUrl(requirement), ...withMarker } };
    }
    const named = NAMED_REQUIREMENT.exec(requirement);
    if (named) {
        return { entry: { kind: 'requirement', text, name: normalizeName(named[1]), ...withMarker } };
    }
    // A directory, or a variable pip expands from an environment this run does not see.
    if (looksLikeUrlOrPath(requirement) || /\$\{[A-Z0-9_]+\}/.test(requirement)) {
        return { entry: { kind: 'requirement', text } };
    }
    // pip reads NUL bytes as text too, and fails on the line: say why it looks like that.
    if (requirement.includes('\0')) {
        return { problem: 'the line has NUL bytes: the file is binary, or UTF-16 without a BOM' };
    }
    return {
        problem: `"${requirement}" is not a valid requirement (expected e.g. name==1.2, name>=1,<2, name[extra], or a URL)`
    };
}

;// CONCATENATED MODULE: ./src/pip/requirements.ts




/** No requirement lines: what the upgrade run reads (none of its packages or failures is a line's). */
const NO_REQUIREMENTS = {
    files: [],
    entries: [],
    problems: [],
    usesHashes: false,
    urls: [],
    variables: []
};
/** A name with extras (`requests[socks]`), as a constraint line begins. */
const WITH_EXTRAS = /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*\[\s*[^\]\s]/;
/**
 * What pip's check_invalid_constraint_type refuses, in its words: a constraint only narrows the
 * versions of a named project.
 */
function refusedConstraint(entry) {
    const why = (problem) => `"${entry.text}": ${problem}, and pip would refuse it`;
    if (entry.kind === 'editable')
        return why('Editable requirements are not allowed as constraints');
    if (entry.kind !== 'requirement')
        return undefined;
    // A `${VAR}` this run cannot expand may hold the name.
    if (!entry.name && !/\$\{[A-Z0-9_]+\}/.test(entry.text)) {
        return why('Unnamed requirements are not allowed as constraints');
    }
    if (WITH_EXTRAS.test(breakArgsOptions(entry.text).args)) {
        return why('Constraints cannot have extras');
    }
    return undefined;
}
/**
 * Requirements files included inside one another, at most. pip reads them by recursion and stops
 * with a RecursionError after a few hundred; no real project nests 20.
 */
const MAX_INCLUDE_DEPTH = 100;
/**
 * The constraint lines pip parses but refuses to install with (a check after parsing, so the
 * parser stays pip's parser): each a problem on its line.
 */
function refusedConstraints(parsed) {
    return parsed.entries.flatMap(entry => {
        const message = entry.constraint ? refusedConstraint(entry) : undefined;
        return message
            ? [{ kind: 'invalid-requirement', file: entry.file, line: entry.line, message }]
            : [];
    });
}
/** Reads requirements files and, as pip reads `-c` files, constraint files. */
function parseRequirementFiles(files, read = readRequirementsFile, context = { env: process.env, os: (0,platform_os/* currentOs */.UD)() }, constraints = []) {
    const result = {
        files: [],
        entries: [],
        problems: [],
        usesHashes: false,
        urls: [],
        variables: []
    };
    const variables = new Set();
    /** result.files as a set: 3,000 includes made its linear search quadratic. */
    const parsedFiles = new Set();
    const visit = (file, stack, constraint, from) => {
        const origin = { file: from?.file ?? file, line: from?.line ?? 1 };
        if (stack.includes(file)) {
            const cycle = [...stack.slice(stack.indexOf(file)), file].map(f => external_node_path_.basename(f));
            result.problems.push({
                ...origin,
                kind: 'invalid-requirement',
                message: `include cycle: ${cycle.join(' -> ')}`
            });
            return;
        }
        if (parsedFiles.has(file))
            return;
        if (stack.length > MAX_INCLUDE_DEPTH) {
            result.problems.push({
                ...origin,
                kind: 'invalid-requirement',
                message: `requirements files nested deeper than ${MAX_INCLUDE_DEPTH} are not followed; include ${external_node_path_.basename(file)} from a file nearer the top`
            });
            return;
        }
        let bytes;
        try {
            bytes = read(file);
        }
        catch (error) {
            const code = error.code;
            const why = error instanceof FileProblemError
                ? error.problem.message
                : code === 'ENOENT'
                    ? 'does not exist'
                    : code === 'EISDIR'
                        ? 'is a directory'
                        : `cannot be read (${code ?? String(error)})`;
            result.problems.push({ ...origin, kind: 'missing-file', message: `${file} ${why}` });
            return;
        }
        const locale = (0,platform_os/* localeEncoding */.Am)(context.os);
        const encodings = locale === 'utf-8' ? 'UTF-8' : `UTF-8 or ${locale}`;
        const content = decodeRequirements(bytes, locale);
        if (content === undefined) {
            result.problems.push({
                ...origin,
                kind: 'invalid-requirement',
                message: `${file} is not a text file pip can read (binary, or not in ${encodings} and without a BOM or a coding: comment)`
            });
            return;
        }
        result.files.push(file);
        parsedFiles.add(file);
        for (const logical of logicalLines(content)) {
            for (const name of variablesOf(logical.text))
                variables.add(name);
            const text = expandVariables(logical.text, context.env);
            const { entry: classified, problem } = classify(text);
            if (problem || !classified) {
                result.problems.push({
                    kind: 'invalid-requirement',
                    file,
                    line: logical.line,
                    message: problem ?? text
                });
                continue;
            }
            const entry = { ...classified, file, line: logical.line, constraint };
            if (entry.target && !URL_START.test(entry.target)) {
                entry.target = external_node_path_.resolve(external_node_path_.dirname(file), entry.target);
            }
            result.entries.push(entry);
            if (/(^|\s)--(require-)?hash(es)?\b/.test(entry.text))
                result.usesHashes = true;
            for (const url of entry.text.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? [])
                result.urls.push(url);
            if (entry.target && !URL_START.test(entry.target)) {
                // As in pip, `-r` inside a constraints file names requirements and `-c` constraints.
                visit(entry.target, [...stack, file], entry.kind === 'constraint', entry);
            }
        }
    };
    for (const file of files)
        visit(external_node_path_.resolve(file), [], false);
    for (const file of constraints)
        visit(external_node_path_.resolve(file), [], true);
    result.variables = [...variables];
    return result;
}
/** The entries that name a project, by normalized name, for mapping pip's failures to lines. */
function entriesByName(parsed) {
    const byName = new Map();
    for (const entry of parsed.entries) {
        if (!entry.name)
            continue;
        const named = byName.get(entry.name);
        if (named)
            named.push(entry);
        else
            byName.set(entry.name, [entry]);
    }
    return byName;
}

;// CONCATENATED MODULE: ./src/annotations/lock-sources.ts



/**
 * A lock file's own sources (wheel and sdist URLs or paths, archives, directories, VCS URLs) as
 * pip names them when it cannot get one: by the URL or path, which it writes in other forms
 * (`file:///p/local/` for the directory `local`, `git+file:/p/repo@COMMIT` for a VCS URL), or by
 * the package it was collecting `(from /p/pylock.toml)`.
 */
/** One comparable form: a file URL as its path, no VCS prefix, credentials or trailing slash. */
function sourceKey(text) {
    let key = text.trim().replace(/^(?:git|hg|svn|bzr)\+/i, '');
    if (/^file:/i.test(key)) {
        try {
            key = (0,external_node_url_.fileURLToPath)(key.replace(/^file:(?!\/\/)/i, 'file://'));
        }
        catch {
            // Not a URL Node reads (a Windows drive on POSIX): compared as written.
        }
    }
    return key.replace(/\/\/[^/@\s]*@/, '//').replace(/[/\\]+$/, '');
}
/** The forms of pip's word that may be a source: itself, and without `@REVISION` or `#fragment`. */
function candidates(word) {
    const key = sourceKey(word);
    const forms = [key, key.split('#')[0]];
    const at = key.lastIndexOf('@');
    if (at > key.lastIndexOf('/'))
        forms.push(key.slice(0, at));
    return forms;
}
const indexes = new WeakMap();
function indexOf(lock) {
    let index = indexes.get(lock);
    if (!index) {
        const sources = new Map();
        for (const s of lock.sources)
            if (!sources.has(sourceKey(s.target)))
                sources.set(sourceKey(s.target), s.line);
        const names = new Map();
        for (const e of lock.entries)
            if (e.name && !names.has(e.name))
                names.set(e.name, e.line);
        indexes.set(lock, (index = { lock, sources, names }));
    }
    return index;
}
function sourceLine(index, word) {
    for (const form of candidates(word)) {
        const line = index.sources.get(form);
        if (line !== undefined)
            return line;
    }
    return undefined;
}
/** The lock and line of the source a URL or path that pip names is, in any of the locks. */
function lockSourceOf(locks, word) {
    for (const lock of locks) {
        const line = sourceLine(indexOf(lock), word);
        if (line !== undefined)
            return { file: lock.file, line };
    }
    return undefined;
}
/**
 * For a line of pip's that says `(from LOCK)`: the source one of its words names, else the
 * package it names (`Collecting delta==1.1.0`, `Processing ./wheels/delta-1.1.0-…whl`), on its line.
 */
function lockPlaceOf(locks, text) {
    if (locks.length === 0)
        return undefined;
    const from = [...text.matchAll(/\(from ([^()]+)\)/g)].find(m => locks.some(l => l.file === external_node_path_.resolve(m[1])));
    const lock = from && locks.find(l => l.file === external_node_path_.resolve(from[1]));
    if (!from || !lock)
        return undefined;
    const index = indexOf(lock);
    const words = text.replace(from[0], '').split(/\s+/);
    for (const word of words) {
        const line = sourceLine(index, word);
        if (line !== undefined)
            return { file: lock.file, line };
    }
    const what = words.find(w => w !== '' && !/^(?:Collecting|Processing|Obtaining)$/.test(w));
    const line = what ? index.names.get(projectOf(what)) : undefined;
    return line === undefined ? undefined : { file: lock.file, line };
}

;// CONCATENATED MODULE: ./src/pip/marker-eval.ts

/** `3.13`, `3.12.1`, and `3.*` on the right of == and !=; anything else is not compared as a version. */
function release(text) {
    return /^\d+(?:\.\d+)*$/.test(text) ? text.split('.').map(Number) : undefined;
}
function compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0)
            return Math.sign(d);
    }
    return 0;
}
const startsWithRelease = (version, prefix) => prefix.every((part, i) => (version[i] ?? 0) === part);
/** packaging's _eval_op: a version specifier when the right side makes one, else Python's string operators. */
function evalOp(lhs, op, rhs) {
    const normalized = op.replace(/\s+/g, ' ');
    if (normalized === 'in')
        return rhs.includes(lhs);
    if (normalized === 'not in')
        return !rhs.includes(lhs);
    if (normalized === '===')
        return lhs === rhs;
    const left = release(lhs);
    const wildcard = /^(.*)\.\*$/.exec(rhs);
    const right = release(wildcard ? wildcard[1] : rhs);
    if (right && wildcard) {
        if (!left || !['==', '!='].includes(op))
            return undefined;
        return startsWithRelease(left, right) === (op === '==');
    }
    if (right) {
        // A pre-release or local version on the left: PEP 440 rules this does not model.
        if (!left)
            return undefined;
        const c = compare(left, right);
        const byOp = {
            '==': c === 0,
            '!=': c !== 0,
            '<': c < 0,
            '<=': c <= 0,
            '>': c > 0,
            '>=': c >= 0,
            '~=': right.length > 1 ? c >= 0 && startsWithRelease(left, right.slice(0, -1)) : undefined
        };
        return byOp[op];
    }
    const byString = {
        '==': lhs === rhs,
        '!=': lhs !== rhs,
        '<': lhs < rhs,
        '<=': lhs <= rhs,
        '>': lhs > rhs,
        '>=': lhs >= rhs
    };
    return byString[op];
}
const and = (a, b) => a === false || b === false ? false : a === undefined || b === undefined ? undefined : true;
const or = (a, b) => a === true || b === true ? true : a === undefined || b === undefined ? undefined : false;
/** Whether the marker holds in this environment; undefined when it cannot be told. */
function evaluateMarker(marker, env) {
    const d = PACKAGING_22;
    let at = 0;
    const take = (token) => {
        d.space.lastIndex = at;
        d.space.test(marker);
        token.lastIndex = d.space.lastIndex;
        const m = token.exec(marker);
        if (!m)
            return undefined;
        at = token.lastIndex;
        return m[0];
    };
    const value = () => {
        const variable = take(d.variable);
        if (variable)
            return { text: env[variable.replace('.', '_')] };
        const string = take(d.string);
        return string === undefined ? undefined : { text: string.slice(1, -1) };
    };
    // Throws on what the grammar refuses: the caller's try makes it undefined.
    const atom = () => {
        if (take(d.open)) {
            const inner = expression();
            if (!take(d.close))
                throw new Error('unclosed');
            return inner;
        }
        const lhs = value();
        const op = take(d.op);
        const rhs = op === undefined ? undefined : value();
        if (!lhs || !op || !rhs)
            throw new Error('not a comparison');
        return lhs.text === undefined || rhs.text === undefined
            ? undefined
            : evalOp(lhs.text, op, rhs.text);
    };
    const conjunction = () => {
        let result = atom();
        while (take(/\band\b/y))
            result = and(result, atom());
        return result;
    };
    const expression = () => {
        let result = conjunction();
        while (take(/\bor\b/y))
            result = or(result, conjunction());
        return result;
    };
    try {
        const result = expression();
        return take(/$/y) === undefined ? undefined : result;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/annotations/locator.ts





// `(from -r FILE (line N))`, also behind the requirements that brought it in (`(from a==1->-r FILE (line N))`).
const FROM_FILE = /\(from (?:[^()\s]+->)?(?:-r|-c) (.+?) \(line (\d+)\)\)/;
/** `(from mypy==2.4.0->pylock.toml)`: a dependency of a requirement that names no line (a lock's entry). */
const FROM_PARENT = /\(from ([^()\s]+?)->[^()]*\)/;
const FROM_LINE_OF = /\(from line (\d+) of (.+?)\)/;
/** The project name a requirement string starts with (`foo[x]>=1` -> `foo`). */
function nameOf(spec) {
    const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(spec);
    return m ? normalizeName(m[1]) : undefined;
}
/** Looks up the lines behind pip's messages: by `-r file (line N)`, by name, or by text. */
class Locator {
    byName;
    // Indexes, so that a file of many lines costs linear time, however much pip says about it.
    byTextExact = new Map();
    byPlace = new Map();
    parsed;
    workspace;
    locks;
    markers;
    constructor(context) {
        const { parsed } = context;
        this.parsed = parsed;
        this.workspace = context.workspace;
        this.locks = context.locks ?? [];
        // A top-level requirement's marker is evaluated with no extra, as pip does.
        this.markers = context.markers && { ...context.markers, extra: '' };
        this.byName = entriesByName(parsed);
        for (const entry of parsed.entries) {
            if (!this.byTextExact.has(entry.text))
                this.byTextExact.set(entry.text, entry);
            const place = `${entry.line}\0${entry.file}`;
            if (!this.byPlace.has(place))
                this.byPlace.set(place, entry);
        }
    }
    /** `file:line` relative to the workspace, as a reader of the message finds it. */
    label(where) {
        return `${external_node_path_.relative(this.workspace, where.file)}:${where.line}`;
    }
    relative(file) {
        return external_node_path_.relative(this.workspace, external_node_path_.resolve(file));
    }
    /**
     * `(from -r FILE (line N))` or `(from line N of FILE)` anywhere in the text; `(from LOCK)`, the
     * lock's source or package the text names; else, for a dependency, the entry of the requirement
     * that brought it in (`(from mypy==2.4.0->pylock.toml)`).
     */
    fromText(text) {
        const r = FROM_FILE.exec(text);
        if (r)
            return { file: external_node_path_.resolve(r[1]), line: Number(r[2]) };
        const of = FROM_LINE_OF.exec(text);
        if (of)
            return { file: external_node_path_.resolve(of[2]), line: Number(of[1]) };
        const inLock = lockPlaceOf(this.locks, text);
        if (inLock)
            return inLock;
        const parent = FROM_PARENT.exec(text);
        return parent ? this.byRequirement(parent[1]) : undefined;
    }
    /**
     * The entry naming a project: requirements before constraints (or the reverse when pip says the
     * constraint), lines whose marker is false for the target interpreter last (pip skipped them),
     * and among several the one whose text starts with pip's requirement string.
     */
    byRequirement(spec, constraint = false) {
        const name = nameOf(spec);
        const named = (name && this.byName.get(name)) || [];
        const env = this.markers;
        const taken = env ? named.filter(e => !e.marker || evaluateMarker(e.marker, env) !== false) : [];
        const entries = taken.length > 0 ? taken : named;
        const preferred = entries.filter(e => e.constraint === constraint);
        const candidates = preferred.length > 0 ? preferred : entries;
        const compact = spec.replace(/\s+/g, '');
        const exact = candidates.find(e => e.text.replace(/\s+/g, '').startsWith(compact));
        return pick(exact ?? candidates[0]);
    }
    /** The entry whose logical line is exactly this text (pip quotes option lines so). */
    byLine(text) {
        return pick(this.byTextExact.get(text.trim()));
    }
    /** The entry that names this path (`./libs/x`, `./libs/x[dev]`, `-e ./libs/x`). */
    byPath(target) {
        const names = (e) => e.text.split(/[\s=]+/).some(w => w === target || w.startsWith(`${target}[`));
        return pick(this.parsed.entries.find(names));
    }
    /** The entry whose text names this URL or path (credentials aside: pip hides them), or the lock source that is it. */
    byText(target) {
        const bare = (text) => text.replace(/\/\/[^/@\s]*@/g, '//');
        const entry = this.parsed.entries.find(e => bare(e.text).includes(bare(target)));
        return pick(entry) ?? lockSourceOf(this.locks, target);
    }
    /** The line's requirement as written, for naming what pip names only by URL or path. */
    textAt(where) {
        const entry = this.byPlace.get(`${where.line}\0${where.file}`);
        return entry?.text.split(/\s+--?(?!e\b|editable\b)[a-z]/)[0];
    }
    /** The `-r`/`-c` line that names this file. */
    includeOf(file) {
        const target = external_node_path_.resolve(file);
        return pick(this.parsed.entries.find(e => e.target === target));
    }
}
function pick(entry) {
    return entry ? { file: entry.file, line: entry.line } : undefined;
}
/** The lines after a header up to the first blank line. */
function blockAfter(lines, index) {
    const block = [];
    for (const line of lines.slice(index + 1)) {
        if (line.trim() === '')
            break;
        block.push(line);
    }
    return block;
}

;// CONCATENATED MODULE: ./src/annotations/requirement-failures.ts




/** pip's complaints about the requirements themselves: invalid lines, missing files, versions, conflicts. */
function invalidRequirements(lines, locate) {
    const found = [];
    lines.forEach((line, i) => {
        const m = /^ERROR: Invalid requirement: (.*)$/.exec(line);
        if (!m)
            return;
        const block = [m[1], ...blockAfter(lines, i).filter(l => !/^ERROR:/.test(l))];
        const quoted = /^'(.*?)'(?::|$| \(from)/.exec(m[1])?.[1] ?? m[1];
        const where = locate.fromText(block.join('\n')) ?? locate.byLine(quoted);
        const reason = /^'.*?': (.*?)(?: \(from line \d+ of .*\))?$/.exec(m[1])?.[1];
        // Hints and optparse's complaint; not pip 24's caret drawing, which an annotation cannot align.
        const details = block
            .slice(1)
            .filter(l => /^(Hint|.*error): /.test(l))
            .map(l => l.replace(/^.*?error: /, ''));
        const message = [`Invalid requirement: ${quoted}${reason ? ` (${reason})` : ''}`, ...details];
        found.push(finding('invalid-requirement', message.join('\n'), where));
    });
    return found;
}
function notProjects(lines, locate) {
    return lines.flatMap(line => {
        const m = /^ERROR: Directory '(.+)' is not installable\. (.*)$/.exec(line) ??
            /^ERROR: (.+) does not appear to be a Python project: (.*)$/.exec(line);
        if (!m)
            return [];
        const message = `${m[1]} is not a Python project: ${m[2]}`;
        return [finding('invalid-requirement', message, locate.byPath(m[1]))];
    });
}
function missingFiles(lines, locate) {
    return lines.flatMap(line => {
        const m = /Could not open requirements file: \[Errno \d+\] ([^:]+): '(.+)'$/.exec(line);
        if (!m)
            return [];
        const message = `${locate.relative(m[2])} cannot be opened: ${m[1]}. Fix the path (relative to this file) or remove the line.`;
        return [finding('missing-file', message, locate.includeOf(m[2]))];
    });
}
// What pip logs when the index is down, failing or silent, before it concludes that nothing matches.
const INDEX_TROUBLE = /Retrying \(Retry\(|Could not fetch URL|Failed to establish a new connection|Read timed out|HTTP error \d{3}|ConnectTimeoutError|Max retries exceeded/;
function notFound(lines, locate) {
    const unreachable = lines.find(l => INDEX_TROUBLE.test(l));
    const pythonNote = lines
        .map(l => /^ERROR: (Ignored the following versions that require a different python version: .*)$/.exec(l))
        .find(Boolean)?.[1];
    return lines.flatMap(line => {
        const m = /^ERROR: Could not find a version that satisfies the requirement (.+?)(?: \(from (.*)\))? \(from versions: ([^)]*)\)$/.exec(line);
        if (!m)
            return [];
        const [, spec, parent, versions] = m;
        // pip's "from versions: none": it found no version at all (no such project where it looked,
        // or none for this Python), which is not the same as finding some that do not match.
        const found = versions === 'none' ? 'pip found no version of it at all' : `pip found ${versions}`;
        const direct = locate.fromText(line);
        const parentName = parent && !parent.startsWith('-') ? parent.split('->')[0] : undefined;
        const where = direct ?? (parentName ? locate.byRequirement(parentName) : locate.byRequirement(spec));
        const what = parentName
            ? `${parentName.replace(/[=<>!~].*$/, '')} needs ${spec}, and no version of it matches (${found}).`
            : `No version of ${spec} matches (${found}).`;
        const note = pythonNote ? `\n${pythonNote}` : '';
        const advice = unreachable
            ? `pip could not reach the index (${unreachable.trim()}): check that it is up and reachable from the runner.`
            : 'Check the name and the version range, and the index pip uses.';
        return [finding('not-found', `${what} ${advice}${note}`, where)];
    });
}
function otherPython(lines, locate) {
    return lines.flatMap(line => {
        const m = /^ERROR: Package '(.+)' requires a different Python: (\S+) not in '(.+)'$/.exec(line);
        if (!m)
            return [];
        const message = `${m[1]} requires Python ${m[3]}, and this is Python ${m[2]}. Use a version of ${m[1]} that supports it, or another python-version.`;
        return [finding('not-found', message, locate.byRequirement(m[1]))];
    });
}
function conflictCause(text, locate) {
    const constraint = /^The user requested \(constraint\) (.+)$/.exec(text);
    if (constraint) {
        const spec = `the constraint ${constraint[1]}`;
        return {
            text,
            asSubject: spec,
            asOther: spec,
            where: locate.byRequirement(constraint[1], true)
        };
    }
    const requested = /^The user requested (.+)$/.exec(text);
    if (requested) {
        return {
            text,
            asSubject: requested[1],
            asOther: requested[1],
            where: locate.byRequirement(requested[1])
        };
    }
    const dependsOn = /^(\S+ \S+) depends on (.+)$/.exec(text);
    if (dependsOn) {
        const other = `${dependsOn[1]}, which depends on ${dependsOn[2]}`;
        return { text, asSubject: text, asOther: other, where: locate.byRequirement(dependsOn[1]) };
    }
    return { text, asSubject: text, asOther: text };
}
function conflicts(lines, locate) {
    const header = lines.findIndex(l => /^ERROR: Cannot install .* because these package versions have conflicting dependencies\.$/.test(l));
    if (header === -1)
        return [];
    const causedBy = lines.findIndex(l => l.trim() === 'The conflict is caused by:');
    const causes = (causedBy === -1 ? [] : blockAfter(lines, causedBy)).map(l => conflictCause(l.trim(), locate));
    const other = (c) => `${c.asOther}${c.where ? ` (${locate.label(c.where)})` : ''}`;
    // pip 24+: "Additionally, some packages in these conflicts have no matching distributions
    // available": then the pin names a version the index does not have, no conflict to loosen.
    const note = lines.findIndex(l => /have no matching distributions available/.test(l));
    const unavailable = new Set((note === -1 ? [] : blockAfter(lines, note)).map(l => normalizeName(l.trim())));
    const located = new Map();
    for (const cause of causes) {
        if (!cause.where || located.has(locate.label(cause.where)))
            continue;
        const others = causes.filter(c => c !== cause).map(other);
        const name = nameOf(cause.text.replace(/^The user requested (\(constraint\) )?/, ''));
        const message = name && unavailable.has(name)
            ? `${cause.asSubject}: the index has no distribution of ${name} that matches it${others.length > 0 ? ` and ${others.join(' and ')}` : ''}. Check that the version exists on the index pip uses, or change the pin.`
            : `${cause.asSubject}, which conflicts with ${others.join(' and ') || 'another requirement'}. Loosen or change one of them.`;
        located.set(locate.label(cause.where), finding('conflict', message, cause.where));
    }
    // Lines pip names whose conflict comes from deeper in the dependency tree.
    const all = causes.map(c => c.text).join('; ');
    for (const m of lines[header].matchAll(/-[rc] (.+?) \(line (\d+)\)/g)) {
        const where = { file: external_node_path_.resolve(m[1]), line: Number(m[2]) };
        const message = `This requirement cannot be installed: ${all}. Loosen or change one of them.`;
        if (!located.has(locate.label(where)))
            located.set(locate.label(where), finding('conflict', message, where));
    }
    if (located.size > 0)
        return [...located.values()];
    return [finding('conflict', `pip found conflicting requirements: ${all || lines[header]}`)];
}

;// CONCATENATED MODULE: ./src/annotations/source-failures.ts



/** pip's failures to get, check or build a requirement's files: hashes, downloads, clones, builds. */
const HASH_HEADERS = [
    [
        /^ERROR: THESE PACKAGES DO NOT MATCH THE HASHES/,
        (item, details) => {
            const expected = details.find(d => /^Expected /.test(d))?.replace(/\s+/g, ' ');
            const got = details.find(d => /^Got /.test(d))?.replace(/^Got\s+/, '');
            return `The file pip got for ${item} does not match the --hash here (${expected ?? 'expected another hash'}, got ${got ?? 'another'}). If you changed the version, update the hash; otherwise the file may have been tampered with.`;
        }
    ],
    [
        /^ERROR: Hashes are required in --require-hashes mode, but they are missing/,
        item => {
            const [spec, hash] = item.split(/ (?=--hash=)/);
            return `${spec} has no --hash, and hash-checking mode (--require-hashes, or a --hash on any line) needs one for every package. Add: ${spec} ${hash ?? ''}`.trim();
        }
    ],
    [
        /^ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==/,
        (item, _details, parent) => parent
            ? `${parent} needs ${item}, and hash-checking mode (--require-hashes, or a --hash on any line) needs every package pinned with == and hashed: add ${item.replace(/[<>=!~;\s].*$/, '')}==VERSION --hash=sha256:... to the requirements.`
            : `${item} must be pinned with == in hash-checking mode (--require-hashes, or a --hash on any line).`
    ],
    [
        /^ERROR: Can't verify hashes for these /,
        (item, _details, _parent, header) => {
            const why = /because (.*?):?$/.exec(header ?? '')?.[1];
            return `pip cannot verify a hash for ${item}${why ? `: ${why}` : ''}. In hash-checking mode (a lock with hashes, --require-hashes, or a --hash on any line) every package must be a file with a hash: install this one in a step of its own, or use a wheel or sdist of it.`;
        }
    ]
];
function hashes(lines, locate) {
    const found = [];
    lines.forEach((line, i) => {
        const header = HASH_HEADERS.find(([re]) => re.test(line));
        if (!header)
            return;
        // Items are indented by four spaces, their details (Expected/Got) by more.
        const items = [];
        for (const l of blockAfter(lines, i)) {
            if (/^\s{5,}\S/.test(l))
                items.at(-1)?.details.push(l.trim());
            else if (/^\s{4}\S/.test(l))
                items.push({ text: l.trim().replace(/:$/, ''), details: [] });
        }
        for (const { text, details } of items) {
            const spec = text
                .replace(/ from \S+.*$/, '')
                .replace(FROM_FILE, '')
                .replace(/ \(from [^()]+\)$/, '')
                .trim();
            const where = locate.fromText(text) ?? locate.byRequirement(spec);
            // A dependency pip found unhashed: blamed on the line that brought it in, which it names.
            const parent = /\(from ([^()\s]+?)->/.exec(text)?.[1];
            found.push(finding('hash', header[1](spec, details, parent, line), where));
        }
    });
    return found;
}
/** An editable requirement (`-e ./dir`, a lock's editable directory) in hash-checking mode. */
function editablesUnderHashes(lines, locate) {
    return lines.flatMap(line => {
        const m = /^ERROR: The editable requirement (\S+) .*cannot be installed when requiring hashes, because (.*?)\.?$/.exec(line);
        if (!m)
            return [];
        const message = `The editable ${(0,secrets/* redactUrlCredentials */.dE)(m[1])} cannot be installed in hash-checking mode (a lock with hashes, --require-hashes, or a --hash on any line): ${m[2]}. Install it in a step of its own, or make it not editable.`;
        return [finding('hash', message, locate.fromText(line))];
    });
}
/** What pip was collecting when a line failed: the last Collecting/Obtaining/Processing line before it. */
function collectingBefore(lines, index) {
    return lines
        .slice(0, index)
        .reverse()
        .find(l => /^(?:Collecting|Obtaining|Processing) /.test(l));
}
const VCS_COMMAND = /^\s*× (?:git (?:clone|fetch|checkout)|hg clone|svn checkout|bzr branch)\b/;
/** A VCS requirement whose checkout failed: nothing was built, the clone itself did not work. */
function clones(lines, locate) {
    const found = new Map();
    lines.forEach((line, i) => {
        if (!VCS_COMMAND.test(line))
            return;
        const url = /\s'?([a-z][a-z0-9+.-]*:\/\/[^\s']+)/i.exec(line)?.[1];
        if (!url || found.has(url))
            return;
        const reason = lines
            .slice(0, i)
            .reverse()
            .find(l => /^\s*(fatal|abort|svn: E\d+|ERROR):? /.test(l))
            ?.trim();
        const collecting = collectingBefore(lines, i);
        const where = (collecting ? locate.fromText(collecting) : undefined) ?? locate.byText(url);
        const message = `Cloning ${(0,secrets/* redactUrlCredentials */.dE)(url)} failed${reason ? ` (${reason})` : ''}. Check the URL and the branch, tag or commit it names, that the host is reachable from the runner, and for a private repository that the job has credentials for it (a token from a secret in the URL, e.g. git+https://\${TOKEN}@host/org/repo.git, or an SSH deploy key); or install a released version from the index instead.`;
        found.set(url, finding('clone', message, where));
    });
    return [...found.values()];
}
/** A URL or path requirement that pip could not download or open. */
function fetches(lines, locate) {
    const index = lines.findIndex(l => /^ERROR: Could not install packages due to an OSError: /.test(l) ||
        /^× .* while fetching \S+/.test(l));
    if (index === -1)
        return [];
    const line = lines[index];
    const url = / while fetching (\S+)/.exec(line)?.[1];
    // A missing file is a requirement's only when a line names it (not a file pip was installing).
    const missing = /No such file or directory: '([^']+)'/.exec(line)?.[1];
    if (missing && !url && !locate.byText(missing))
        return [];
    const pool = /host='([^']+)'.*?url: (\S+) \(/.exec(line);
    if (!url && !missing && !pool)
        return [];
    const collecting = collectingBefore(lines, index);
    const where = (url ? locate.byText(url) : undefined) ??
        (missing ? locate.byText(missing) : undefined) ??
        (pool ? locate.byText(pool[2]) : undefined) ??
        (collecting ? locate.fromText(collecting) : undefined);
    const target = url ?? missing ?? (where && locate.textAt(where)) ?? `${pool[1]}…${pool[2]}`;
    const reason = url
        ? (lines[index + 1] ?? '').replace(/^\s*╰─>\s*/, '').trim()
        : line.replace(/^ERROR: Could not install packages due to an OSError: /, '').slice(0, 300);
    const message = `${(0,secrets/* redactUrlCredentials */.dE)(target)} could not be fetched${reason ? ` (${reason})` : ''}. Check that the URL or path is right, that the file exists, and that its host is reachable from the runner.`;
    return [finding('fetch', message, where)];
}
/** The last line a failed build printed before `[end of output]`: usually the compiler's or setup.py's error. */
function buildCause(lines, from) {
    const end = lines.findIndex((l, i) => i > from && l.trim() === '[end of output]');
    if (end === -1)
        return undefined;
    return lines
        .slice(from, end)
        .map(l => l.trim())
        .filter(l => l !== '' && !/^(╰─>|│)/.test(l))
        .pop();
}
/**
 * The name of what pip collects: `name @ url`, `name@ url` and `name from url` name it; an sdist
 * by its file name; a bare URL or path (`-e .`, `git+https://host/kombu.git`) by its line as
 * written, or by the URL itself.
 */
function collectedName(target, lineText) {
    const named = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:@|\sfrom\s)/.exec(target);
    if (named)
        return named[1];
    const sdist = /([^/]+?)-\d[^/-]*\.(?:tar\.gz|zip|tar\.bz2|tgz|tar)$/.exec(target);
    if (sdist)
        return sdist[1];
    if (!/[/\\:]/.test(target))
        return target.split(/[\s=<>!~;[]/)[0];
    return (0,secrets/* redactUrlCredentials */.dE)(lineText ?? target);
}
function builds(lines, locate) {
    const found = new Map();
    // What pip collected so far, by name, with the line it names (pip 23.1+ says it); the last one
    // is what a failed metadata step, which does not name its package, was working on.
    const collected = new Map();
    let last;
    lines.forEach((line, i) => {
        const collecting = /^(?:Collecting|Processing|Obtaining) (.+?)(?: \(from .*\))?$/.exec(line);
        if (collecting) {
            const where = locate.fromText(line);
            last = collectedName(collecting[1], where && locate.textAt(where));
            collected.set(nameOf(last) ?? last, where);
            return;
        }
        if (VCS_COMMAND.test(line))
            return;
        const failed = /^\s*× (?:Building (?:wheel|editable) for (\S+) .*|.*) did not run successfully\.$/.exec(line);
        const name = failed ? (failed[1] ?? last) : undefined;
        const key = name && (nameOf(name) ?? name);
        if (!name || !key || found.has(key))
            return;
        const step = line.replace(/^\s*× /, '').replace(/ did not run successfully\.$/, '');
        const cause = buildCause(lines, i);
        const message = `${name} could not be built from source (${step} failed)${cause ? `: ${cause}` : ''}. The full build log is in pip's output. Pin a version that has a wheel for this platform, or install what the build needs.`;
        found.set(key, finding('build', message, collected.get(key) ?? locate.byRequirement(name)));
    });
    return [...found.values()];
}

;// CONCATENATED MODULE: ./src/annotations/findings.ts





/**
 * pip's failures mapped back to the requirement lines that caused them, so that a reviewer sees
 * the annotation on the line in the pull request's diff. The mapping is pure: pip's output in,
 * findings out (written against real output of pip 23.0 to 24.2, see
 * __tests__/fixtures/pip-output). Emitting them respects GitHub's cap of 10 annotations per type
 * and step: the most important first, the rest only in the job summary.
 */
/** pip's error lines, for a failure no line could be traced to; else its last words (a usage error). */
function pipErrorLines(output) {
    const lines = output.split(/\r?\n/);
    const errors = lines.filter(line => /^(ERROR|error):|^\s*×|^\s*╰─>/.test(line));
    // pip's own crash ("ERROR: Exception:") says what went wrong only on the traceback's last line.
    const crash = errors.includes('ERROR: Exception:')
        ? lines.filter(line => /^[\w.]+(Error|Exception|Marker|Requirement)\b[^:]*: /.test(line)).pop()
        : undefined;
    if (crash)
        errors.push(crash);
    if (errors.length > 0)
        return errors.slice(-6).join('\n');
    return lines.filter(line => line.trim() !== '').pop() ?? '';
}
// eslint-disable-next-line no-control-regex -- ANSI colour codes, should pip ever be forced to colour
const ANSI = /\x1b\[[0-9;]*m/g;
/** What went wrong in a failed `pip install`, each cause on its requirement line when traceable. */
function findingsFromPipFailure(output, requirements, title, exitCode) {
    const lines = output.replace(ANSI, '').split(/\r?\n/);
    const locate = new Locator(requirements);
    const found = [
        ...invalidRequirements(lines, locate),
        ...notProjects(lines, locate),
        ...missingFiles(lines, locate),
        ...conflicts(lines, locate),
        ...hashes(lines, locate),
        ...editablesUnderHashes(lines, locate),
        ...notFound(lines, locate),
        ...otherPython(lines, locate),
        ...fetches(lines, locate),
        ...clones(lines, locate),
        ...builds(lines, locate),
        ...pylockFailures(lines.join('\n'), requirements.locks ?? [], requirements.workspace).map(f => finding('invalid-requirement', f.message, f))
    ];
    if (found.length > 0)
        return found;
    const quoted = pipErrorLines(output);
    return [
        finding('pip', `${title} failed: pip exited with ${exitCode}.${quoted ? `\n${quoted}` : ''}`)
    ];
}
/** `pip check`'s complaints, as warnings on the line that asked for the package concerned. */
function findingsFromPipCheck(output, requirements) {
    const locate = new Locator(requirements);
    return output.split(/\r?\n/).flatMap(line => {
        const m = /^(\S+) \S+ requires (\S+), which is not installed\.$/.exec(line) ??
            /^(\S+) \S+ has requirement (\S+?)[\s=<>!~[;(].*, but you have .*\.$/.exec(line) ??
            /^(\S+) \S+ is not supported on this platform$/.exec(line);
        if (!m)
            return [];
        const where = locate.byRequirement(m[1]) ?? (m[2] ? locate.byRequirement(m[2]) : undefined);
        return [
            finding('broken-dependency', `${line.trim().replace(/\.$/, '')} (pip check). The venv was installed, but this dependency is broken: add or pin the package it needs.`, where)
        ];
    });
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
;// CONCATENATED MODULE: ./src/install/compile.ts








/**
 * Below this many files a second compiling process costs more than it saves. compileall's own
 * `-j` is no help here: it starts a forkserver and its workers, about 0.35 s before the first file.
 */
const FILES_PER_PROCESS = 200;
/**
 * The .py files compileall would compile under `dir`: all, but those in __pycache__ directories
 * and in the top-level entries named in `skip` (already compiled).
 */
function sourcesToCompile(dir, skip = []) {
    const skipped = new Set([...skip, '__pycache__']);
    let entries;
    try {
        entries = external_node_fs_.readdirSync(dir, { recursive: true, encoding: 'utf8' });
    }
    catch {
        return [];
    }
    return entries
        .filter(rel => rel.endsWith('.py'))
        .filter(rel => {
        const parts = rel.split(external_node_path_.sep);
        return !skipped.has(parts[0]) && !parts.includes('__pycache__');
    })
        .sort()
        .map(rel => external_node_path_.join(dir, rel));
}
/** The files dealt out to `processes` lists in turn, so that each gets a like share of the work. */
function dealOut(files, processes) {
    const lists = Array.from({ length: processes }, () => []);
    files.forEach((file, i) => lists[i % processes].push(file));
    return lists.filter(list => list.length > 0);
}
/** How many compiling processes `count` files are worth, on this machine's cores. */
function compileProcesses(count, cores = external_node_os_.availableParallelism()) {
    return Math.max(1, Math.min(cores, Math.floor(count / FILES_PER_PROCESS)));
}
/**
 * Byte-compiles the given files as pip would, on every core: one `python -m compileall -i LIST`
 * per share, side by side. What compileall reported is returned, errors included.
 */
async function byteCompile(python, version, files, scratchDir) {
    if (files.length === 0)
        return { exitCode: 0, output: '' };
    const lists = dealOut(files, compileProcesses(files.length));
    const results = await Promise.all(lists.map((list, i) => {
        const listFile = external_node_path_.join(scratchDir, `venv-guard-compile-${process.pid}-${i}.txt`);
        return (0,platform_process/* withScratch */.hM)(listFile, () => {
            external_node_fs_.writeFileSync(listFile, `${list.join('\n')}\n`);
            return (0,platform_process/* run */.eF)(python, [...moduleArgs(version, 'compileall'), '-q', '-i', listFile]);
        });
    }));
    return {
        exitCode: results.find(r => r.exitCode !== 0)?.exitCode ?? 0,
        output: results.map(r => `${r.stdout}${r.stderr}`).join('')
    };
}
/** The .py files a dist-info directory's RECORD puts in site-packages (scripts in bin/ aside). */
function recordedSources(sitePackages, distInfo) {
    return (recordPaths(sitePackages, distInfo) ?? [])
        .filter(rel => rel.endsWith('.py') && !rel.startsWith('..') && !rel.startsWith('"'))
        .map(rel => external_node_path_.join(sitePackages, rel));
}
/**
 * The distributions' dist-info directories: a name starts with a letter or digit, as a project's
 * does; pip moves the one it replaces aside under another (`~ip-1.0.dist-info`), RECORD and all.
 */
function distInfos(sitePackages) {
    try {
        return external_node_fs_.readdirSync(sitePackages).filter(name => /^[A-Za-z0-9].*\.dist-info$/.test(name));
    }
    catch {
        return [];
    }
}
/**
 * Whether a source has bytecode that Python would use: a `__pycache__/NAME.*.pyc` whose header
 * names the source's modification time and size (or a hash-based one, which checks itself).
 */
function hasBytecode(source, listings = new Map()) {
    let stat;
    try {
        stat = external_node_fs_.statSync(source);
    }
    catch {
        return true; // no source, nothing to compile
    }
    const cache = external_node_path_.join(external_node_path_.dirname(source), '__pycache__');
    if (!listings.has(cache)) {
        try {
            listings.set(cache, external_node_fs_.readdirSync(cache));
        }
        catch {
            listings.set(cache, []);
        }
    }
    const stem = `${external_node_path_.basename(source, '.py')}.`;
    return listings.get(cache).some(name => {
        if (!name.startsWith(stem) || !name.endsWith('.pyc'))
            return false;
        const header = Buffer.alloc(16);
        let fd;
        try {
            fd = external_node_fs_.openSync(external_node_path_.join(cache, name), 'r');
            if (external_node_fs_.readSync(fd, header, 0, 16, 0) < 16)
                return false;
        }
        catch {
            return false;
        }
        finally {
            if (fd !== undefined)
                external_node_fs_.closeSync(fd);
        }
        if (header.readUInt32LE(4) !== 0)
            return true;
        const mtime = Math.floor(stat.mtimeMs / 1000) % 2 ** 32;
        return header.readUInt32LE(8) === mtime && header.readUInt32LE(12) === stat.size % 2 ** 32;
    });
}
/** How often a compile stream looks for distributions pip has finished installing. */
const WATCH_MS = 50;
/** Files per batch a compiling worker is handed: small enough to share the tail out evenly. */
const BATCH = 40;
const NEXT = 'venv-guard-next\n';
/**
 * Byte-compiles each distribution as pip finishes installing it, while pip goes on with the next:
 * pip writes a distribution's RECORD last, so a new RECORD means its files are all there. Workers
 * (compile_worker.py) ask for batches of files from one queue: while pip runs, one on each core
 * but pip's; once pip is done, what is left is shared out on every core.
 */
class CompileStream {
    python;
    version;
    sitePackages;
    cores;
    /** The files queued, by the watch or by finish. */
    given = new Set();
    known;
    queue = [];
    idle = [];
    workers = [];
    ended = false;
    timer;
    /** Starts watching `sitePackages`; what is installed there now is not this stream's. */
    constructor(python, version, sitePackages, cores = external_node_os_.availableParallelism()) {
        this.python = python;
        this.version = version;
        this.sitePackages = sitePackages;
        this.cores = cores;
        this.known = new Set(distInfos(sitePackages));
        for (let i = 0; i < Math.max(1, cores - 1); i++)
            this.startWorker();
        this.timer = setInterval(() => this.look(), WATCH_MS);
    }
    startWorker() {
        const input = new external_node_stream_.PassThrough();
        let pending = '';
        const onStderr = (chunk) => {
            pending += chunk.toString();
            let at;
            while ((at = pending.indexOf(NEXT)) >= 0) {
                pending = pending.slice(at + NEXT.length);
                this.serve(input);
            }
            pending = pending.slice(-NEXT.length);
        };
        // Without -I: compileall honours the same settings (PYTHONPYCACHEPREFIX, PYTHONOPTIMIZE) as
        // pip's own compiling and byteCompile's `python -m compileall`.
        const worker = (0,platform_process/* shippedFile */.kA)(import.meta.url, 'compile_worker.py');
        const started = (0,platform_process/* run */.eF)(this.python, [worker], { input, onStderr });
        // One that cannot start is a compile error, said at the end, not a failure in pip's middle.
        this.workers.push(started.catch((error) => ({
            exitCode: -1,
            stdout: '',
            stderr: `${(0,diagnostic/* errorMessage */.gJ)(error)}\n`,
            timedOut: false
        })));
    }
    /** A worker asked for work: a batch, the end, or a wait for what pip installs next. */
    serve(input) {
        if (this.queue.length > 0)
            input.write(`${this.queue.splice(0, BATCH).join('\n')}\n\n`);
        else if (this.ended)
            input.end();
        else
            this.idle.push(input);
    }
    add(files) {
        for (const file of files)
            this.given.add(file);
        this.queue.push(...files);
        while (this.idle.length > 0 && (this.queue.length > 0 || this.ended))
            this.serve(this.idle.shift());
    }
    look() {
        for (const distInfo of distInfos(this.sitePackages)) {
            if (this.known.has(distInfo))
                continue;
            if (!external_node_fs_.existsSync(external_node_path_.join(this.sitePackages, distInfo, 'RECORD')))
                continue;
            this.known.add(distInfo);
            this.add(recordedSources(this.sitePackages, distInfo).filter(f => !this.given.has(f)));
        }
    }
    /**
     * Once pip is done: `rest` (what it installed that the stream has not queued) joins the queue,
     * which is shared out on every core; resolves when all is compiled, with what compileall said.
     */
    async finish(rest = []) {
        clearInterval(this.timer);
        this.ended = true;
        this.add(rest.filter(f => !this.given.has(f)));
        const wanted = Math.max(this.workers.length, compileProcesses(this.queue.length, this.cores));
        while (this.workers.length < wanted)
            this.startWorker();
        const results = await Promise.all(this.workers);
        const said = results.map(r => `${r.stdout}${r.stderr}`.split(NEXT).join('')).join('');
        // What a worker lost (it crashed) or another distribution's copy overwrote: compiled again.
        const listings = new Map();
        const missed = [...this.given].filter(file => !hasBytecode(file, listings));
        const again = await byteCompile(this.python, this.version, missed, (0,platform_process/* scratchDir */.GA)());
        const failed = [...results, again].find(r => r.exitCode !== 0);
        return { exitCode: failed?.exitCode ?? 0, output: `${said}${again.output}` };
    }
}

;// CONCATENATED MODULE: ./src/venv/create.ts





/** Creates a venv without ensurepip: pip comes with the first install (see install/install.ts). */
async function createVenv(python, venv) {
    const result = await (0,platform_process/* run */.eF)(python.executable, [
        ...moduleArgs(python, 'venv'),
        '--without-pip',
        venv
    ]);
    if (result.exitCode !== 0) {
        throw new diagnostic/* ActionError */.lZ(`Creating the venv at ${venv} with ${python.executable} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`);
    }
    if (!external_node_fs_.existsSync((0,platform_os/* venvPython */.qb)(venv))) {
        throw new diagnostic/* ActionError */.lZ(`Creating the venv at ${venv} left no interpreter at ${(0,platform_os/* venvPython */.qb)(venv)}.`);
    }
}

;// CONCATENATED MODULE: ./src/venv/target.ts







const VENV_ACTIONS = {
    create: 'new',
    rebuild: 'rebuilt',
    update: 'updated',
    reuse: 'reused',
    'up-to-date': 'reused, up to date'
};
function venvAction(plan, restored) {
    if (restored)
        return 'restored from the cache';
    if (plan.action === 'update')
        return 'restored from an earlier cache entry, updated';
    return VENV_ACTIONS[plan.action === 'reuse' && plan.upToDate ? 'up-to-date' : plan.action];
}
/** The venv at venv-path, reused, rebuilt or created, as planVenv decides; or the interpreter itself. */
async function prepareTarget(request) {
    const { settings, python, report } = request;
    if (!settings.createVenv) {
        return { python: python.executable, sitePackages: python.purelib, upToDate: false };
    }
    return timed(report, 'prepare venv', () => prepareVenv(request));
}
async function prepareVenv(request) {
    const { settings, python, fingerprint, report } = request;
    const venv = settings.venvPath;
    const plan = planVenv(inspectVenv(venv), python, fingerprint, venv, request.moving, request.earlier ?? false);
    (0,log/* info */.pq)(`venv: ${plan.reason}`);
    report.venv = { path: venv, action: venvAction(plan, request.restored), reason: plan.reason };
    const sitePackages = (0,platform_os/* venvSitePackages */.c4)(venv, python.version, python.implementation, python.freeThreaded);
    const created = plan.action === 'reuse' ? plan.created : true;
    const owner = { created, python: python.executable, fingerprint };
    const target = { python: (0,platform_os/* venvPython */.qb)(venv), sitePackages };
    if (plan.action === 'reuse') {
        if (!plan.upToDate)
            markInstalling(venv, owner);
        const held = plan.held;
        return { ...target, venv: { path: venv, fresh: false, owner, held }, upToDate: plan.upToDate };
    }
    if (plan.action === 'update') {
        markInstalling(venv, owner);
        const { held } = plan;
        return {
            ...target,
            venv: { path: venv, fresh: false, owner, held, update: held },
            upToDate: false
        };
    }
    if (plan.action === 'rebuild')
        removeOwnVenv(venv);
    await newVenv(python, venv, owner);
    return { ...target, venv: { path: venv, fresh: true, owner }, upToDate: false };
}
async function newVenv(python, venv, owner) {
    // The marker goes in first, so that an interrupted creation is recognised as ours and incomplete.
    external_node_fs_.mkdirSync(venv, { recursive: true });
    markInstalling(venv, owner);
    await createVenv(python, venv);
}
/** A venv to update that cannot be brought to the new content exactly: made anew in its place. */
async function startOver(python, target, report) {
    const venv = target.venv;
    if (!venv?.update)
        throw new Error('only a venv to update is made anew');
    removeOwnVenv(venv.path);
    await newVenv(python, venv.path, venv.owner);
    if (report.venv)
        report.venv.action = VENV_ACTIONS.rebuild;
    return { ...target, venv: { path: venv.path, fresh: true, owner: venv.owner }, upToDate: false };
}
/** A venv this run created, made again from nothing (what went into it is not wanted). */
async function recreateVenv(python, target) {
    if (!target.venv?.fresh)
        throw new Error('only a venv this run created is made again');
    removeOwnVenv(target.venv.path);
    await newVenv(python, target.venv.path, target.venv.owner);
}
/** Once everything is installed: the venv's marker says complete, and what it holds where known. */
function finishTarget(target, content) {
    if (target.venv)
        markComplete(target.venv.path, target.venv.owner, content);
}
/** What activating the venv gives later steps: VIRTUAL_ENV, and its bin first on PATH. */
function activation(venv) {
    return { variables: { VIRTUAL_ENV: venv }, path: [(0,platform_os/* venvBinDir */.Sg)(venv)] };
}

;// CONCATENATED MODULE: ./src/pip/features.ts

/** The pip each feature needs, and the oldest Python that pip runs on (its Requires-Python). */
const FEATURE_PIP = {
    'dependency-groups': {
        pip: '25.1',
        python: '3.9',
        label: 'dependency-groups (pip install --group)'
    },
    pylock: {
        pip: '26.1',
        python: '3.10',
        label: 'a pylock.toml lock file (pip install -r pylock.toml)'
    }
};
/** The version after `version` at one of its parts (1.4.2 at part 1 -> 1.5). */
function bump(version, part) {
    const parts = version
        .split('.')
        .map(Number)
        .slice(0, Math.max(part, 0) + 1);
    parts[parts.length - 1] += 1;
    return parts.join('.');
}
/**
 * Whether a pip version range can still give `minimum` or newer: false only when an upper bound
 * (==, ===, <=, <, ~=, or a wheel's version) keeps every allowed version below it.
 */
function rangeAllows(range, minimum) {
    return range.split(',').every(clause => {
        const m = /^\s*(===|==|<=|<|~=)\s*(\d+(?:\.\d+)*)(\.\*)?/.exec(clause);
        if (!m)
            return true;
        const [, op, version, wildcard] = m;
        const parts = version.split('.').length;
        if (op === '<')
            return !versionAtLeast(minimum, version);
        if (op === '~=')
            return !versionAtLeast(minimum, bump(version, parts - 2));
        if (wildcard)
            return !versionAtLeast(minimum, bump(version, parts - 1));
        return versionAtLeast(version, minimum);
    });
}
/** The version range an `upgrade` word gives pip (`pip==24.2` -> `==24.2`), if it names pip. */
function pipRangeOf(word) {
    const wheel = /(?:^|[\\/])pip-(\d[^-]*)-[^/\\]*\.whl$/i.exec(word);
    if (wheel)
        return `==${wheel[1]}`;
    const named = /^pip\s*(?:\[[^\]]*\])?\s*(.*?)\s*(?:;.*)?$/i.exec(word);
    return named && /^(|[=<>!~].*)$/.test(named[1]) ? named[1] : undefined;
}
/**
 * One line saying which feature needs which pip and how to get it, when the pip that will
 * install cannot have it; undefined when it can (or may: an unpinned upgrade).
 */
function pipTooOld(features, pip) {
    const failing = neediest(features, needs => 'upgrade' in pip ? rangeAllows(pip.upgrade, needs) : versionAtLeast(pip.own, needs));
    if (!failing)
        return undefined;
    const { pip: version, label } = FEATURE_PIP[failing];
    if ('upgrade' in pip) {
        return `${label} needs pip ${version} or newer, and upgrade allows only pip${pip.upgrade}: raise the pin to pip>=${version} in upgrade, or remove it.`;
    }
    return `${label} needs pip ${version} or newer, and ${pip.where} is ${pip.own} with no pip in upgrade: add pip to upgrade (the default 'pip setuptools wheel' brings the newest).`;
}
/** The feature needing the newest pip among those `has` cannot serve. */
function neediest(features, has) {
    return [...new Set(features)]
        .sort((a, b) => (versionAtLeast(FEATURE_PIP[a].pip, FEATURE_PIP[b].pip) ? -1 : 1))
        .find(f => !has(FEATURE_PIP[f].pip));
}
/**
 * After the upgrade, the pip it left when that is still too old: the newest pip an index offers an
 * interpreter can be (pip 26 runs on Python 3.10 and newer). One line, before the requirements run.
 */
function upgradedPipTooOld(features, pipVersion, pythonVersion) {
    const failing = neediest(features, needs => versionAtLeast(pipVersion, needs));
    if (!failing)
        return undefined;
    const { pip: version, python, label } = FEATURE_PIP[failing];
    const fix = versionAtLeast(pythonVersion, python)
        ? `the index has no newer pip: make pip ${version} or newer available to it`
        : `pip ${version} runs on Python ${python} or newer: use python-version ${python} or newer`;
    return `${label} needs pip ${version} or newer, and the upgrade brought pip ${pipVersion} to Python ${pythonVersion}; ${fix}.`;
}

;// CONCATENATED MODULE: ./src/pip/report.ts



/**
 * The distributions a `--report` names, each by its wheel's hash; undefined when one has none (a
 * local directory, a VCS checkout), was named by its URL or path, or is built from an sdist: then
 * what it installs is not one file an index serves, or not the same files each time it is built.
 */
function heldFromReport(json) {
    const report = JSON.parse(json);
    const dists = [];
    for (const item of report.install ?? []) {
        const { name, version } = item.metadata ?? {};
        const sha256 = item.download_info?.archive_info?.hashes?.sha256;
        const wheel = /\.whl$/i.test((item.download_info?.url ?? '').split(/[?#]/)[0]);
        if (!name || !version || !sha256 || item.is_direct || !wheel)
            return undefined;
        dists.push({ name, version, sha256, requested: item.requested === true });
    }
    return dists;
}
/** A distribution as compared: by normalized name, version, hash and whether it was asked for. */
function heldKey(d) {
    return JSON.stringify([normalizeName(d.name), d.version, d.sha256, d.requested]);
}
/** Both name exactly the same files, each asked for alike. */
function sameDists(a, b) {
    const keys = (list) => JSON.stringify(list.map(heldKey).sort());
    return keys(a) === keys(b);
}
/**
 * The distributions a `pip install --report` run installed, each with what asked for it: the
 * requirement line (file:line relative to the workspace), `upgrade` for the packages upgraded
 * first, `requested` for others asked for by name nowhere in the files (the packages input, a URL
 * or `-e .` line), or `via <package>` for a dependency.
 */
function installedFromReport(reportJson, parsed, workspace, upgrade = []) {
    const report = JSON.parse(reportJson);
    const items = (report.install ?? []).filter(item => item.metadata?.name);
    const byName = entriesByName(parsed);
    const upgraded = new Set(upgrade.map(projectOf));
    const parents = new Map();
    for (const item of items) {
        for (const dependency of item.metadata?.requires_dist ?? []) {
            // Extras' dependencies would name a parent for packages it did not bring in.
            if (/\bextra\s*==/.test(dependency))
                continue;
            // The first package that requires it is enough to say why it is there.
            const name = projectOf(dependency);
            if (!parents.has(name))
                parents.set(name, item.metadata?.name);
        }
    }
    return items.map(item => {
        const name = item.metadata?.name;
        const key = normalizeName(name);
        const entry = byName.get(key)?.find(e => !e.constraint);
        const requestedBy = entry
            ? `${external_node_path_.relative(workspace, entry.file)}:${entry.line}`
            : upgraded.has(key)
                ? 'upgrade'
                : item.requested
                    ? 'requested'
                    : parents.has(key)
                        ? `via ${parents.get(key)}`
                        : undefined;
        return { name, version: item.metadata?.version ?? '', requestedBy };
    });
}

;// CONCATENATED MODULE: ./src/install/pip-runs.ts













/** The target's own pip, looked up when it is needed: an earlier run may just have installed it. */
function targetPip(python, target) {
    const version = installedVersions(target.sitePackages, ['pip']).pip ??
        (target.venv ? undefined : python.pip?.version);
    if (!version) {
        throw new diagnostic/* ActionError */.lZ(`${target.python} has no pip. ${target.venv ? 'Remove the venv so that venv-guard creates it afresh' : 'Install pip for this interpreter, or use create-venv: true (the default)'}.`);
    }
    return pipOf(target.python, version, python);
}
/** The same check once the upgrade has run: the newest pip for this Python may still be too old. */
function checkUpgradedPip({ python, target, requirements }) {
    const version = installedVersions(target.sitePackages, ['pip']).pip;
    const tooOld = version && upgradedPipTooOld(requirements.features, version, python.versionText);
    if (tooOld)
        throw new diagnostic/* ActionError */.lZ(tooOld, { title: 'venv-guard: pip too old' });
}
/** Byte-compilation after pip, in parallel, for a venv whose user did not turn compiling off. */
function deferCompile({ config, target }) {
    return target.venv !== undefined && !compileDisabled(config.pipArgs, process.env);
}
/** A stream that compiles the requirements run's distributions as they land, where the install compiles. */
function compileStream(job) {
    const { target } = job;
    return deferCompile(job) && target.venv
        ? new CompileStream(target.python, job.python, target.sitePackages)
        : undefined;
}
/** What the venv holds, where both the upgrade's and the requirements' reports told it exactly. */
function contentOf(job, result) {
    const { upgradeDists: tools, requirementDists: dists } = result;
    return tools && tools.length > 0 && dists
        ? { tools, dists, settings: installSettings(job) }
        : undefined;
}
/**
 * What decides how pip installs besides the requirements themselves: pip-args, upgrade, the PIP_*
 * settings and every file the inputs read that the requirements do not (pip's configuration files
 * and what they name, cache-dependency-path), and whether the action compiles.
 */
function installSettings(job) {
    const { config, requirements } = job;
    const { files, roles, pipSettings } = requirements.inputs;
    const named = new Set([...roles.requirements, ...roles.constraints, ...requirements.files]);
    const others = Object.entries(files)
        .filter(([file]) => !named.has(file))
        .sort(([a], [b]) => (a < b ? -1 : 1));
    const described = [config.pipArgs, config.upgrade, pipSettings, others, deferCompile(job)];
    return (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify(described)).digest('hex');
}
/**
 * `pip install --dry-run --ignore-installed --report` of a planned run's arguments: what that run
 * would install into a venv holding nothing yet, by name, version and file hash.
 */
async function dryRun(job, pip, plan, index) {
    const reportFile = reportPath(index);
    const args = ['install', '--dry-run', '--ignore-installed', '--report', reportFile];
    const answered = await runPipQuietly(pip, [...args, ...plan.args.slice(1)], job.config.workingDirectory, job.guard.pipEnv());
    let json;
    try {
        json = answered.exitCode === 0 ? external_node_fs_.readFileSync(reportFile, 'utf8') : undefined;
    }
    catch {
        json = undefined;
    }
    finally {
        external_node_fs_.rmSync(reportFile, { force: true });
    }
    return { output: answered.output, json, dists: json ? heldFromReport(json) : undefined };
}
function settle(promise) {
    return promise.then(value => ({ value }), (error) => ({ error }));
}
/** A failed run ends the step with its findings on the requirement lines. */
function passed(job, outcome) {
    if (outcome.failed)
        throw failure(outcome.failed, job.config.workspace);
    // A stopped run's target is not what pip leaves: whoever stopped it starts over.
    if (outcome.stopped)
        throw new Error('a stopped pip run was taken for a finished one');
    return outcome;
}
/** What a run's failures are blamed on: the upgrade reads no requirement file. */
function contextOf(job, plan) {
    const { config, python, requirements } = job;
    return {
        parsed: plan.kind === 'requirements' ? requirements : NO_REQUIREMENTS,
        workspace: config.workspace,
        locks: plan.kind === 'requirements' ? requirements.locks : [],
        markers: python.markers
    };
}
/** Runs one planned pip run, by `pip`; nothing is told of a failure yet (see passed). */
async function runPlan(job, planned, index, pip, signal) {
    const { config, guard, report } = job;
    const plan = planned.runs[index];
    const context = contextOf(job, plan);
    (0,log/* info */.pq)(`Using ${pip.label}`);
    const reportFile = reportPath(index);
    const withReport = versionAtLeast(pip.version, '22.2');
    const args = withReport ? [...plan.args, '--report', reportFile] : plan.args;
    const result = await runPip(pip, args, plan.title, config.workingDirectory, guard.pipEnv(), signal);
    if (result.stopped) {
        external_node_fs_.rmSync(reportFile, { force: true });
        (0,log/* info */.pq)(`${plan.title}: stopped, as pip's answer beside it rules its result out.`);
        return { found: [], stopped: true };
    }
    guard.checkPipRun(result, plan.title);
    if (result.exitCode !== 0) {
        return {
            found: [],
            failed: findingsFromPipFailure(result.output, context, plan.title, result.exitCode)
        };
    }
    if (!withReport || !external_node_fs_.existsSync(reportFile))
        return { found: [] };
    const reportJson = external_node_fs_.readFileSync(reportFile, 'utf8');
    external_node_fs_.rmSync(reportFile, { force: true });
    const credit = plan.kind === 'upgrade' ? planned.upgraded : [];
    const found = installedFromReport(reportJson, context.parsed, config.workspace, credit);
    // Into the report as each run ends: a later run's failure still shows what was installed.
    keepLatest(report.installed, found);
    return { found, reportJson };
}
/** A later run's install of a package replaces an earlier one's: the venv holds the last. */
function keepLatest(list, found) {
    const names = new Set(found.map(p => normalizeName(p.name)));
    const kept = list.filter(p => !names.has(normalizeName(p.name)));
    list.splice(0, list.length, ...kept, ...found);
}

;// CONCATENATED MODULE: ./src/install/seed.ts







const SEED_FORMAT = 2;
const RECORD_FILE = 'seed.json';
/** Where the seeds live: the tool cache, or nowhere outside a runner. */
function seedStore(env = process.env) {
    return env.RUNNER_TOOL_CACHE ? external_node_path_.join(env.RUNNER_TOOL_CACHE, 'venv-guard-tools') : undefined;
}
/** One seed per interpreter and upgrade command line (with pip-args, and whether pip compiles). */
function seedKey(interpreter, upgradeArgs) {
    return (0,external_node_crypto_.createHash)('sha256')
        .update(JSON.stringify([SEED_FORMAT, interpreter, upgradeArgs]))
        .digest('hex')
        .slice(0, 32);
}
/** What names a seed's tools in its cache key: their names, versions and wheel hashes. */
function toolsId(dists) {
    const tools = dists.map(d => [normalizeName(d.name), d.version, d.sha256]).sort();
    return (0,external_node_crypto_.createHash)('sha256').update(JSON.stringify(tools)).digest('hex').slice(0, 16);
}
function readSeed(dir) {
    try {
        const record = JSON.parse(external_node_fs_.readFileSync(external_node_path_.join(dir, RECORD_FILE), 'utf8'));
        const valid = record.format === SEED_FORMAT &&
            typeof record.python === 'string' &&
            [record.dists, record.entries, record.scripts].every(Array.isArray) &&
            record.entries.every(oneName) &&
            record.scripts.every(safeRelative);
        return valid ? record : undefined;
    }
    catch {
        return undefined;
    }
}
/** A site-packages entry of the seed: one name, no path (seedContent writes no other). */
function oneName(entry) {
    return typeof entry === 'string' && !['', '.', '..'].includes(entry) && !/[\\/]/.test(entry);
}
/** A script's RECORD path stays where it belongs: no absolute path, no step outside but to bin. */
function safeRelative(entry) {
    if (typeof entry !== 'string' || entry === '' || external_node_path_.isAbsolute(entry))
        return false;
    const parts = entry.split('/');
    const ups = parts.findIndex(p => p !== '..');
    return parts.slice(ups).every(p => p !== '..' && p !== '.' && p !== '');
}
/** RECORD's name for a script: relative to site-packages, with forward slashes. */
function recordPath(target, script) {
    return external_node_path_.relative(target.sitePackages, external_node_path_.join(target.bin, script)).split(external_node_path_.sep).join('/');
}
/** RECORD's hash of a file's content: urlsafe base64 of the sha256, unpadded. */
function recordHash(content) {
    return `sha256=${(0,external_node_crypto_.createHash)('sha256').update(content).digest('base64url')}`;
}
/**
 * Copies the seed into a new, empty venv, its scripts' first lines and their RECORD lines rewritten
 * for this venv's interpreter as pip would have written them. False when it cannot be done exactly
 * (a path pip would write another way); a copy that fails half-way throws.
 */
async function plantSeed(dir, record, target) {
    if (!(0,platform_os/* plainShebang */.Fy)(record.python) || !(0,platform_os/* plainShebang */.Fy)(target.python))
        return false;
    const scripts = record.scripts.map(rel => {
        const content = external_node_fs_.readFileSync(external_node_path_.join(dir, 'bin', external_node_path_.posix.basename(rel)));
        const first = `#!${record.python}\n`;
        if (!content.subarray(0, first.length).equals(Buffer.from(first)))
            return undefined;
        const rewritten = Buffer.concat([
            Buffer.from(`#!${target.python}\n`),
            content.subarray(first.length)
        ]);
        return { name: external_node_path_.posix.basename(rel), rel, content: rewritten };
    });
    if (scripts.some(s => s === undefined))
        return false;
    const copy = (0,platform_os/* copyIntoCommand */.dd)(record.entries.map(entry => external_node_path_.join(dir, 'site-packages', entry)), target.sitePackages);
    const copied = await (0,platform_process/* run */.eF)(copy.command, copy.args);
    if (copied.exitCode !== 0)
        throw new Error(copied.stderr.trim() || `${copy.command} failed`);
    const rewrites = new Map();
    for (const script of scripts) {
        if (!script)
            continue;
        external_node_fs_.writeFileSync(external_node_path_.join(target.bin, script.name), script.content, { mode: 0o755 });
        rewrites.set(script.rel, `${recordPath(target, script.name)},${recordHash(script.content)},${script.content.length}`);
    }
    if (rewrites.size > 0)
        rewriteRecords(target.sitePackages, record.entries, rewrites);
    return true;
}
/** The scripts' lines in each dist-info RECORD, for the new venv. */
function rewriteRecords(sitePackages, entries, lines) {
    for (const entry of entries.filter(e => e.endsWith('.dist-info'))) {
        const file = external_node_path_.join(sitePackages, entry, 'RECORD');
        const text = external_node_fs_.readFileSync(file, 'utf8');
        const rewritten = text.replace(/^([^,\n]+),[^\n]*$/gm, (line, rel) => lines.get(rel) ?? line);
        if (rewritten !== text)
            external_node_fs_.writeFileSync(file, rewritten);
    }
}
/** The dist-info directory of each distribution, by its name and version. */
function distInfoDirs(sitePackages, dists) {
    const found = dists.map(d => findDistInfo(sitePackages, d));
    return found.every(f => f !== undefined) ? found : undefined;
}
/**
 * What the seed of a venv's tools would hold, or undefined when they cannot be seeded exactly:
 * a file outside site-packages other than a script, a quoted RECORD path, or an entry another
 * installed distribution shares.
 */
function seedContent(sitePackages, target, dists) {
    const distInfos = distInfoDirs(sitePackages, dists);
    if (!distInfos)
        return undefined;
    const entries = new Set();
    const scripts = [];
    const bin = new Set(external_node_fs_.readdirSync(target.bin).map(name => recordPath(target, name)));
    for (const distInfo of distInfos) {
        const paths = recordPaths(sitePackages, distInfo);
        if (!paths)
            return undefined;
        // A path with a comma is quoted in RECORD; none of the tools has one, and such a seed is refused.
        for (const rel of paths) {
            if (rel.startsWith('"'))
                return undefined;
            if (rel.startsWith('..')) {
                if (!bin.has(rel))
                    return undefined;
                scripts.push(rel);
            }
            else
                entries.add(rel.split('/')[0]);
        }
    }
    // A module at the top level keeps its bytecode in the shared __pycache__: not seeded.
    if (entries.has('__pycache__') || [...entries].some(e => e.endsWith('.py')))
        return undefined;
    const others = external_node_fs_.readdirSync(sitePackages)
        .filter(n => n.endsWith('.dist-info') && !distInfos.includes(n));
    for (const other of others) {
        const paths = recordPaths(sitePackages, other) ?? [];
        const shared = paths.some(rel => entries.has(rel.split('/')[0]));
        if (shared)
            return undefined;
    }
    return { entries: [...entries].sort(), scripts: [...new Set(scripts)].sort() };
}
/**
 * Keeps a venv's freshly upgraded tools as the seed under `dir`, replacing what was there: written
 * beside it and renamed into place, so that a run copying the old one never sees half of the new.
 * Copied as planted, by `cp -p`: Node's copy rounds modification times, and a source a whole
 * second off its bytecode's would be compiled again on import.
 */
async function saveSeed(dir, target, dists) {
    const content = seedContent(target.sitePackages, target, dists);
    if (!content || !(0,platform_os/* plainShebang */.Fy)(target.python))
        return false;
    const partial = `${dir}.${process.pid}.partial`;
    external_node_fs_.rmSync(partial, { recursive: true, force: true });
    try {
        const sitePackages = external_node_path_.join(partial, 'site-packages');
        external_node_fs_.mkdirSync(sitePackages, { recursive: true });
        const copy = (0,platform_os/* copyIntoCommand */.dd)(content.entries.map(entry => external_node_path_.join(target.sitePackages, entry)), sitePackages);
        const copied = await (0,platform_process/* run */.eF)(copy.command, copy.args);
        if (copied.exitCode !== 0)
            throw new Error(copied.stderr.trim() || `${copy.command} failed`);
        external_node_fs_.mkdirSync(external_node_path_.join(partial, 'bin'), { recursive: true });
        for (const rel of content.scripts) {
            const name = external_node_path_.posix.basename(rel);
            external_node_fs_.copyFileSync(external_node_path_.join(target.bin, name), external_node_path_.join(partial, 'bin', name));
        }
        const record = { format: SEED_FORMAT, python: target.python, dists, ...content };
        external_node_fs_.writeFileSync(external_node_path_.join(partial, RECORD_FILE), JSON.stringify(record, null, 2));
        const old = `${dir}.${process.pid}.old`;
        if (external_node_fs_.existsSync(dir))
            external_node_fs_.renameSync(dir, old);
        external_node_fs_.renameSync(partial, dir);
        external_node_fs_.rmSync(old, { recursive: true, force: true });
        return true;
    }
    finally {
        external_node_fs_.rmSync(partial, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./src/install/seeded.ts












/** Where the seed for this job's venv is kept: only a new venv whose first run is the upgrade has one. */
function seedPlace(job, planned) {
    const { python, target } = job;
    const first = planned.runs[0];
    const store = seedStore();
    if (!store || !target.venv?.fresh || first?.kind !== 'upgrade' || first.pip !== 'bootstrap')
        return undefined;
    const interpreter = [
        python.executable,
        python.versionText,
        python.implementation,
        String(python.freeThreaded)
    ];
    return external_node_path_.join(store, seedKey(interpreter, first.args));
}
/**
 * A tool cache without this seed (a new runner's) gets it from the cache, where the cache has one:
 * whether it is used, pip decides (runSeeded) as for any seed.
 */
async function fetchSeed(job, place) {
    if (!readSeed(place))
        await job.seeds?.restoreSeed(place, external_node_path_.basename(place), job.report);
}
function seedTarget({ target }) {
    const venv = target.venv?.path ?? '';
    return { python: target.python, sitePackages: target.sitePackages, bin: (0,platform_os/* venvBinDir */.Sg)(venv) };
}
function tools(record) {
    return record.dists.map(d => `${d.name} ${d.version}`).join(', ');
}
/**
 * The pip runs of a new venv started from the seed: its tools are copied in, then the requirements
 * run by the seeded pip starts at once, beside pip's answer to what the upgrade would install into
 * a new venv (`--dry-run --ignore-installed`). That answer decides: the very seed (names, versions,
 * wheel hashes), and the venv is the recipe's; anything else, and once the requirements run is
 * over the venv is made again from nothing and undefined returned, for the runs without a seed.
 */
async function runSeeded(job, planned, place) {
    const record = readSeed(place);
    if (!record)
        return undefined;
    try {
        if (!(await plantSeed(place, record, seedTarget(job))))
            return undefined;
    }
    catch (caught) {
        (0,log/* info */.pq)(`The tool seed ${place} could not be copied (${(0,diagnostic/* errorMessage */.gJ)(caught)}): no seed this time.`);
        await recreateVenv(job.python, job.target);
        return undefined;
    }
    const pip = targetPip(job.python, job.target);
    if (!versionAtLeast(pip.version, '22.2')) {
        await recreateVenv(job.python, job.target);
        return undefined;
    }
    checkUpgradedPip(job);
    (0,log/* info */.pq)(`Copied ${tools(record)} from the tool seed ${place}: pip says beside the requirements run whether the upgrade would install exactly these.`);
    const upgrade = planned.runs[0];
    // An answer other than the seed stops the requirements run, the venv is made again; not one
    // that may be building a project in the workspace, which a stop could leave half-copied.
    const stop = new AbortController();
    const stoppable = job.requirements.entries.every(byName);
    const answer = settle(dryRun(job, pip, upgrade, 0).then(answered => {
        if (stoppable && (!answered.dists || !sameDists(answered.dists, record.dists)))
            stop.abort();
        return answered;
    }));
    const stream = planned.runs.length > 1 ? compileStream(job) : undefined;
    const rest = planned.runs.length > 1 ? settle(runPlan(job, planned, 1, pip, stop.signal)) : undefined;
    // Both end before anything is judged: no pip may go on writing into the venv after this step.
    const [answered, outcome] = [await answer, await rest];
    if ('error' in answered) {
        await stream?.finish();
        throw answered.error;
    }
    const { output, json, dists } = answered.value;
    await (0,log/* showOutput */.Jy)(`${upgrade.title} (what it would install: the seed?)`, output);
    if (!json || !dists || !sameDists(dists, record.dists)) {
        await stream?.finish();
        (0,log/* info */.pq)(`The upgrade would not install what the tool seed holds (${tools(record)}): the venv is made again, and the upgrade runs.`);
        await recreateVenv(job.python, job.target);
        return undefined;
    }
    try {
        return { ...seededResult(job, planned, json, record, outcome), streamed: stream };
    }
    catch (error) {
        await stream?.finish();
        throw error;
    }
}
/** The upgrade's packages first, as in the runs without a seed, then the requirements run's. */
function seededResult(job, planned, json, record, outcome) {
    const upgraded = installedFromReport(json, NO_REQUIREMENTS, job.config.workspace, planned.upgraded);
    const later = job.report.installed.splice(0);
    keepLatest(job.report.installed, upgraded);
    keepLatest(job.report.installed, later);
    if (outcome && 'error' in outcome)
        throw outcome.error;
    const ran = outcome ? passed(job, outcome.value) : { found: [], reportJson: '{}' };
    const installed = [];
    keepLatest(installed, upgraded);
    keepLatest(installed, ran.found);
    const tools = new Set(record.dists.map(d => normalizeName(d.name)));
    const replaced = ran.found.some(p => tools.has(normalizeName(p.name)));
    if (replaced)
        return { installed, compiled: [] };
    const requirementDists = ran.reportJson ? heldFromReport(ran.reportJson) : undefined;
    return { installed, compiled: record.entries, upgradeDists: record.dists, requirementDists };
}
/** After a run without a seed: its upgraded tools become the seed. Nothing here fails the step. */
async function keepSeed(job, place, result) {
    if (!result.upgradeDists || result.upgradeDists.length === 0)
        return;
    try {
        if (await saveSeed(place, seedTarget(job), result.upgradeDists)) {
            (0,log/* info */.pq)(`Kept the upgraded tools as the tool seed ${place}, for the next new venv.`);
            job.seeds?.seedKept(toolsId(result.upgradeDists));
        }
    }
    catch (caught) {
        (0,log/* info */.pq)(`The tool seed was not kept (${(0,diagnostic/* errorMessage */.gJ)(caught)}).`);
    }
}

;// CONCATENATED MODULE: ./src/install/update.ts













/** What site-packages holds at its top; nothing where it is gone. */
function listingOf(sitePackages) {
    try {
        return external_node_fs_.readdirSync(sitePackages);
    }
    catch {
        return [];
    }
}
/** Each distribution a site-packages directory has a dist-info for, as `name version`. */
function presentDists(sitePackages) {
    return listingOf(sitePackages)
        .map(distInfoName)
        .filter(d => d !== undefined)
        .map(d => `${d.name} ${d.version}`)
        .sort();
}
const nameVersion = (d) => `${normalizeName(d.name)} ${d.version}`;
/** Whether the dist-infos present (presentDists) are those of `dists`, no more, no fewer. */
const holdsExactly = (present, dists) => JSON.stringify(present) === JSON.stringify(dists.map(nameVersion).sort());
/** The .py files a distribution's RECORD puts in site-packages: what compiling it means. */
function update_sourcesOf(sitePackages, dist, listing) {
    const distInfo = findDistInfo(sitePackages, dist, listing);
    return distInfo ? recordedSources(sitePackages, distInfo) : [];
}
/** Each distribution's RECORD, as absolute paths, from one listing of site-packages. */
function update_recordedFiles(sitePackages, dists) {
    const listing = listingOf(sitePackages);
    return dists.map(dist => {
        const distInfo = findDistInfo(sitePackages, dist, listing);
        const paths = distInfo ? recordPaths(sitePackages, distInfo) : undefined;
        return (paths ?? []).map(rel => external_node_path_.resolve(sitePackages, rel));
    });
}
/** The headers' directory a new venv has (`include`, `Include` on Windows). */
const VENV_HEADERS = ['include', 'Include'];
/** A file that a distribution to remove shares with one that stays: uninstalling would break it. */
function sharedFile(removed, kept) {
    const staying = new Set(kept.flat());
    return removed.flat().find(file => staying.has(file));
}
/**
 * After pip uninstall: the directories it left empty (a namespace package's, a data directory's),
 * which a new venv does not have. Never those a new venv has: its scripts' and headers'
 * directories, site-packages and what holds it.
 */
function pruneEmptyDirs(venv, sitePackages, files) {
    const kept = new Set([
        venv,
        sitePackages,
        (0,platform_os/* venvBinDir */.Sg)(venv),
        ...VENV_HEADERS.map(d => external_node_path_.join(venv, d))
    ]);
    for (let dir = sitePackages; dir.startsWith(venv + external_node_path_.sep); dir = external_node_path_.dirname(dir))
        kept.add(dir);
    const dirs = new Set();
    for (const file of files) {
        for (let dir = external_node_path_.dirname(file); dir.startsWith(venv + external_node_path_.sep); dir = external_node_path_.dirname(dir)) {
            if (kept.has(dir))
                break;
            dirs.add(dir);
        }
    }
    for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
        try {
            if (external_node_fs_.readdirSync(dir).length === 0)
                external_node_fs_.rmdirSync(dir);
        }
        catch {
            // gone, or not a directory: nothing of ours to prune
        }
    }
}
/** The change from what the venv holds to what a new venv would get (same name, version, file, request). */
function changeTo(held, wanted) {
    const heldKeys = new Set(held.map(heldKey));
    const wantedKeys = new Set(wanted.map(heldKey));
    return {
        remove: held.filter(d => !wantedKeys.has(heldKey(d))),
        add: wanted.filter(d => !heldKeys.has(heldKey(d)))
    };
}
const sameFile = (a, b) => normalizeName(a.name) === normalizeName(b.name) &&
    a.version === b.version &&
    a.sha256 === b.sha256;
/**
 * What the requirements' run installs into a new venv, from what pip says they need into nothing:
 * all but what the tools' run installed already, the very same file (`packaging`, which wheel
 * needs and black needs too, is found installed and left as it is). Undefined when a requirement
 * needs a tool in another file: whether the requirements' run keeps or replaces it, only running
 * it tells.
 */
function beyondTools(tools, wanted) {
    const toolNames = new Set(tools.map(d => normalizeName(d.name)));
    const rest = wanted.filter(d => !toolNames.has(normalizeName(d.name)));
    const needed = wanted.filter(d => toolNames.has(normalizeName(d.name)));
    return needed.every(d => tools.some(t => sameFile(t, d))) ? rest : undefined;
}
/**
 * Why a venv cannot be brought to a new venv's content by what it holds and how pip was set up,
 * before pip is asked anything; undefined when it may be.
 */
function whyNotStart(held, settings, present, entries) {
    if (!entries.every(byName))
        return 'a requirement is an editable, a URL, an archive or a path, which pip installs as no file from an index';
    if (held.settings !== settings)
        return "pip's settings changed (pip-args, upgrade, PIP_* variables, pip's configuration, compiling), and what it kept was installed under the old ones";
    if (!holdsExactly(present, [...held.tools, ...held.dists]))
        return 'it holds other distributions than its marker lists (a later step installed or removed one)';
    return undefined;
}
/**
 * Why a venv cannot be brought to the new venv's content exactly, from the tools it holds and what
 * pip says a new venv would get; undefined when it can.
 */
function whyNotUpdate(held, tools, wanted) {
    if (!tools || !sameDists(tools, held))
        return 'the upgrade would now install other tools than it holds';
    if (!wanted)
        return 'pip did not name every requirement as one file from an index (a failure, a path, a URL or a VCS checkout)';
    if (!beyondTools(held, wanted))
        return 'a requirement needs another version of a tool the upgrade installs';
    return undefined;
}
/** What the venv holds after a requirements run installed `installed`: what it replaced is gone. */
function afterRun(held, installed) {
    const names = new Set(installed.map(d => normalizeName(d.name)));
    return [...held.filter(d => !names.has(normalizeName(d.name))), ...installed];
}
/**
 * What the requirements run started beside pip's answers installed, by its report; a reason it is
 * not known exactly instead (it failed, installed what has no wheel hash, or replaced a tool).
 */
function firstRun(tools, ran) {
    if (!ran)
        return { installed: [], found: [] };
    if (ran.failed || ran.stopped)
        return 'the requirements run failed';
    const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined;
    if (!installed)
        return 'the requirements run installed what is no file from an index';
    const toolNames = new Set(tools.map(d => normalizeName(d.name)));
    if (installed.some(d => toolNames.has(normalizeName(d.name))))
        return 'the requirements run replaced a tool the upgrade installs';
    return { installed, found: ran.found };
}
const update_describe = (list) => list.length === 0 ? 'nothing' : list.map(d => `${d.name} ${d.version}`).join(', ');
/**
 * Brings the venv from `holds` (the tools aside) to `wanted`: uninstalls what differs, then runs
 * the requirements again where anything is missing; that run's report must name exactly what was.
 * Undefined where that cannot be exact.
 */
async function mend(job, planned, pip, tools, holds, wanted) {
    const { target } = job;
    const change = changeTo(holds, wanted);
    if (change.remove.length > 0) {
        const staying = [...tools, ...holds].filter(d => !change.remove.includes(d));
        const [removing, kept] = [change.remove, staying].map(list => update_recordedFiles(target.sitePackages, list));
        const shared = sharedFile(removing, kept);
        if (shared) {
            (0,log/* info */.pq)(`venv: ${shared} belongs to a distribution that goes and one that stays; the venv is made anew.`);
            return undefined;
        }
        const names = [...new Set(change.remove.map(d => d.name))];
        const removed = await runPip(pip, ['uninstall', '--yes', ...names], 'Uninstall what a new venv would not hold', job.config.workingDirectory, job.guard.pipEnv());
        if (removed.exitCode !== 0)
            throw new diagnostic/* ActionError */.lZ(`pip uninstall ${names.join(' ')} failed in ${target.venv?.path}: the venv is left marked incomplete and is made anew by the next run.`);
        if (target.venv)
            pruneEmptyDirs(target.venv.path, target.sitePackages, removing.flat());
    }
    if (change.add.length === 0)
        return { installed: [], found: [] };
    const ran = passed(job, await runPlan(job, planned, 1, pip));
    const installed = ran.reportJson ? heldFromReport(ran.reportJson) : undefined;
    if (!installed || !sameDists(installed, change.add)) {
        (0,log/* info */.pq)('venv: the requirements run installed other files than pip named beforehand; the venv is made anew.');
        return undefined;
    }
    return { installed, found: ran.found };
}
/** The first requirements run of an update: pip's conflict warnings there are of what goes next. */
function withoutConflictWarnings(planned) {
    const runs = planned.runs.map((run, i) => i === 1 ? { ...run, args: [...run.args, '--no-warn-conflicts'] } : run);
    return { ...planned, runs };
}
/**
 * Brings a venv venv-guard made for other inputs to what a new venv would hold for these ones,
 * without building it again. The requirements run starts at once on what the venv holds (pip
 * replaces by itself what the requirements now exclude), beside pip's answers for a new venv
 * (`--dry-run --ignore-installed --report`): what the upgrade and the requirements would install
 * there. Then what the venv holds that these do not name exactly (name, version, file hash, asked
 * for or not) is uninstalled, and what the first run kept where a new venv gets another version is
 * installed by a second run (mend). Undefined, with nothing changed, where the venv or the
 * requirements rule an update out (whyNotStart); undefined after changing it where pip's answers
 * or runs do: the venv is then made anew.
 */
async function runUpdate(job, planned, freshUpgrade, held) {
    const { target, report } = job;
    const site = target.sitePackages;
    const [upgrade, requirements, ...more] = planned.runs;
    const pip = targetPip(job.python, target);
    if (upgrade?.kind !== 'upgrade' || requirements?.kind === 'upgrade' || more.length > 0)
        return undefined;
    if (!versionAtLeast(pip.version, '22.2'))
        return undefined;
    const present = presentDists(site);
    const notNow = whyNotStart(held, installSettings(job), present, job.requirements.entries);
    if (notNow) {
        (0,log/* info */.pq)(`venv: not updated in place: ${notNow}.`);
        return undefined;
    }
    // Read before pip replaces any: what it replaces may share a file with what stays.
    const recorded = update_recordedFiles(site, held.dists);
    (0,log/* info */.pq)("venv: the requirements run starts on what the venv holds, beside pip's answers for a new venv; what they differ in is mended after.");
    // An answer that rules the update out stops the requirements run: the venv is made anew.
    const stop = new AbortController();
    const judged = (answer, why) => {
        if (why)
            stop.abort();
        return answer;
    };
    const [tools, wanted, ran] = await (0,platform_process/* allDone */.gH)([
        dryRun(job, pip, freshUpgrade, 0).then(a => judged(a, whyNotUpdate(held.tools, a.dists, []))),
        requirements
            ? dryRun(job, pip, requirements, 2).then(a => judged(a, whyNotUpdate(held.tools, held.tools, a.dists)))
            : Promise.resolve({ output: '', dists: [] }),
        requirements
            ? runPlan(job, withoutConflictWarnings(planned), 1, pip, stop.signal)
            : Promise.resolve(undefined)
    ]);
    const why = whyNotUpdate(held.tools, tools.dists, wanted.dists);
    if (why) {
        const stopped = ran?.stopped ? ' (the requirements run was stopped)' : '';
        (0,log/* info */.pq)(`venv: not updated in place: ${why}${stopped}; it is made anew.`);
        return undefined;
    }
    await (0,log/* showOutput */.Jy)('What a new venv would get: the tools', tools.output);
    await (0,log/* showOutput */.Jy)('What a new venv would get: the requirements', wanted.output);
    const wantedDists = beyondTools(held.tools, wanted.dists);
    const change = changeTo(held.dists, wantedDists);
    (0,log/* info */.pq)(`venv: updating in place to what a new venv would hold: removing ${update_describe(change.remove)}; installing ${update_describe(change.add)}; ${held.dists.length - change.remove.length} kept.`);
    const first = firstRun(held.tools, ran);
    const holds = typeof first === 'string' ? undefined : afterRun(held.dists, first.installed);
    if (typeof first === 'string' ||
        !holds ||
        !holdsExactly(presentDists(site), [...held.tools, ...holds])) {
        const reason = typeof first === 'string' ? first : 'it left other distributions than its report names';
        (0,log/* info */.pq)(`venv: ${reason}; the venv is made anew.`);
        return undefined;
    }
    // pip removed what it replaced without asking whether a distribution that stays shares a file.
    const replaced = held.dists.map((d, i) => (holds.includes(d) ? [] : recorded[i]));
    const staying = [
        ...update_recordedFiles(site, held.tools),
        ...held.dists.map((d, i) => (holds.includes(d) ? recorded[i] : []))
    ];
    const shared = sharedFile(replaced, staying);
    if (shared) {
        (0,log/* info */.pq)(`venv: ${shared} belonged to a distribution pip replaced and belongs to one that stays; the venv is made anew.`);
        return undefined;
    }
    if (target.venv)
        pruneEmptyDirs(target.venv.path, site, replaced.flat());
    const second = await mend(job, planned, pip, held.tools, holds, wantedDists);
    if (!second)
        return undefined;
    if (!holdsExactly(presentDists(site), [...held.tools, ...wantedDists])) {
        (0,log/* info */.pq)('venv: after the update it holds other distributions than a new venv would; it is made anew.');
        return undefined;
    }
    // What the first run installed and the second removed is not in the venv: not in the report.
    const holding = new Set(wantedDists.map(nameVersion));
    const installed = [...first.found];
    keepLatest(installed, second.found);
    const kept = (list) => list.filter(p => holding.has(`${normalizeName(p.name)} ${p.version}`));
    report.installed.splice(0, report.installed.length, ...kept(report.installed));
    const landed = new Set([...first.installed, ...second.installed].map(heldKey));
    const listing = listingOf(site);
    return {
        installed: kept(installed),
        toCompile: wantedDists
            .filter(d => landed.has(heldKey(d)))
            .flatMap(d => update_sourcesOf(site, d, listing)),
        upgradeDists: held.tools,
        requirementDists: wantedDists
    };
}

;// CONCATENATED MODULE: ./src/install/install.ts

















/** The runs for the job's target; `fresh` plans them as for a new venv at the same place. */
function planRuns(job, fresh = job.target.venv?.fresh ?? false) {
    const { config, python, target } = job;
    const bootstrap = fresh ? pipForNewVenv(python, target.venv.path) : undefined;
    const wheels = bundledWheels(python);
    const bundled = wheels.pip ? [wheels.pip, ...wheels.others] : [];
    const runs = planPipRuns({
        freshVenv: fresh,
        upgrade: config.upgrade,
        bundledWheels: bundled,
        requirementFiles: config.requirementFiles,
        groups: job.requirements.inputs.roles.groups,
        constraintFiles: config.constraintFiles,
        packages: config.packages,
        pipArgs: config.pipArgs,
        deferCompile: deferCompile(job)
    });
    return { runs, bootstrap, upgraded: [...config.upgrade, ...(fresh ? bundled : [])] };
}
/**
 * The pip that will install the requirements, as far as it is known before pip runs: the one
 * `upgrade` brings, else the target's own (in a new venv, the one the interpreter bundles).
 */
function installingPip({ config, python, target }) {
    const range = config.upgrade.map(pipRangeOf).find(r => r !== undefined);
    if (range !== undefined)
        return { upgrade: range };
    const bundled = bundledWheels(python).pip;
    const own = target.venv?.fresh
        ? ((bundled && pipRangeOf(bundled)?.replace(/^==/, '')) ?? python.pip?.version)
        : (installedVersions(target.sitePackages, ['pip']).pip ?? python.pip?.version);
    const where = target.venv ? "the venv's pip" : `the pip of ${target.python}`;
    return own ? { own, where } : undefined;
}
/** An old pip fails late and obscurely on what it does not know: one line before it runs. */
function checkPipFeatures(job) {
    const pip = installingPip(job);
    const tooOld = pip && pipTooOld(job.requirements.features, pip);
    if (tooOld)
        throw new diagnostic/* ActionError */.lZ(tooOld, { title: 'venv-guard: pip too old' });
}
function toolNames(result) {
    return new Set((result.upgradeDists ?? []).map(d => normalizeName(d.name)));
}
/** Runs pip as planned, each run by the pip the one before left. */
async function runPlans(job, planned) {
    const result = { installed: [], requirementDists: [] };
    try {
        await runEach(job, planned, result);
    }
    catch (error) {
        await result.streamed?.finish();
        throw error;
    }
    return result;
}
async function runEach(job, planned, result) {
    const { python, target } = job;
    for (const [index, plan] of planned.runs.entries()) {
        const pip = plan.pip === 'bootstrap' && planned.bootstrap ? planned.bootstrap : targetPip(python, target);
        if (plan.kind === 'requirements')
            result.streamed ??= compileStream(job);
        const outcome = passed(job, await runPlan(job, planned, index, pip));
        keepLatest(result.installed, outcome.found);
        const dists = outcome.reportJson ? heldFromReport(outcome.reportJson) : undefined;
        if (plan.kind === 'upgrade')
            result.upgradeDists = dists;
        else if (outcome.found.some(p => toolNames(result).has(normalizeName(p.name))))
            result.upgradeDists = undefined;
        else
            result.requirementDists = dists;
        if (plan.kind === 'upgrade' && index < planned.runs.length - 1) {
            checkUpgradedPip(job);
            if (deferCompile(job))
                await compilePip(job.python, target);
        }
    }
}
/**
 * The upgraded pip, byte-compiled on every core before it runs the requirements: the upgrade ran
 * with --no-compile, and Python would otherwise compile each module pip imports, one at a time.
 */
async function compilePip(python, target) {
    const files = sourcesToCompile(external_node_path_.join(target.sitePackages, 'pip'));
    await byteCompile(target.python, python, files, (0,platform_process/* scratchDir */.GA)());
}
/**
 * What the runs installed and left uncompiled (the files they name, else all but what came
 * compiled), on every core: by the compile stream that started while pip ran, where there is one.
 */
async function compile(python, target, result) {
    const given = result.streamed?.given ?? new Set();
    const files = (result.toCompile ?? sourcesToCompile(target.sitePackages, result.compiled ?? [])).filter(file => !given.has(file));
    const compiled = result.streamed
        ? await result.streamed.finish(files)
        : await byteCompile(target.python, python, files, (0,platform_process/* scratchDir */.GA)());
    if (compiled.exitCode !== 0)
        (0,log/* warn */.R8)(`Byte-compiling ${target.sitePackages} reported errors:\n${compiled.output}`);
}
/**
 * `pip check` with the venv's own pip: broken dependencies become warnings on their lines; true
 * when it passed. Not for a base interpreter, whose unrelated packages (a runner's system Python)
 * are not the user's to fix.
 */
async function checkDependencies(python, target, requirements) {
    if (!target.venv || !installedVersions(target.sitePackages, ['pip']).pip)
        return false;
    const checked = await pipCheck(target.python, python);
    annotate(findingsFromPipCheck(checked.output, requirements), requirements.workspace);
    return checked.passed;
}
/**
 * A venv venv-guard made for other inputs, brought to what a new one would hold (update.ts); else,
 * when that cannot be done exactly, the job for a venv made anew in its place.
 */
async function update(job) {
    const held = job.target.venv?.update;
    if (!held)
        return { job };
    const freshUpgrade = planRuns(job, true).runs[0];
    const result = freshUpgrade?.kind === 'upgrade'
        ? await runUpdate(job, planRuns(job), freshUpgrade, held)
        : undefined;
    if (result)
        return { job, result };
    job.report.installed.splice(0);
    const target = await startOver(job.python, job.target, job.report);
    return { job: { ...job, target } };
}
/**
 * The install: the pip runs the recipe would make (or an update of a venv made for other inputs,
 * or a new venv started from the tool seed), then byte-compilation and pip check side by side
 * (both only read what is installed: together they cost the cold path one of them).
 */
async function install(given) {
    checkPipFeatures(given);
    const updated = given.target.venv?.update
        ? await timed(given.report, 'update venv', () => update(given))
        : { job: given };
    const job = updated.job;
    const { config, target, requirements, report } = job;
    const planned = planRuns(job);
    const place = updated.result ? undefined : seedPlace(job, planned);
    if (place)
        await fetchSeed(job, place);
    const seeded = place
        ? await timed(report, 'pip install', () => runSeeded(job, planned, place))
        : undefined;
    const result = updated.result ?? seeded ?? (await timed(report, 'pip install', () => runPlans(job, planned)));
    const [, pipCheckPassed] = await timed(report, 'compile and check', () => Promise.all([
        deferCompile(job) ? compile(job.python, target, result) : undefined,
        checkDependencies(job.python, target, {
            parsed: requirements,
            workspace: config.workspace,
            markers: job.python.markers
        })
    ]));
    if (place && !seeded)
        await keepSeed(job, place, result);
    return { installed: result.installed, content: contentOf(job, result), pipCheckPassed };
}
/** The tools every run reports before and after: the recipe upgrades them. */
const TRACKED = ['pip', 'setuptools', 'wheel'];
/** pip, setuptools and wheel in the target now, logged with a label. */
function trackedVersions(target, label) {
    const versions = installedVersions(target.sitePackages, TRACKED);
    const text = TRACKED.map(name => `${name} ${versions[name] ?? '(none)'}`).join(', ');
    (0,log/* info */.pq)(`${label}: ${text}`);
    return versions;
}

;// CONCATENATED MODULE: ./src/pip/constraints.ts

/**
 * The constraint files PIP_CONSTRAINT names, read as pip reads an append option from the
 * environment: split on whitespace, each relative to the directory pip runs in. pip applies them
 * to all its runs; the action only needs them for the venv's fingerprint and for annotating their
 * lines. URLs are left to pip.
 */
function envConstraintFiles(env, cwd) {
    return (env.PIP_CONSTRAINT ?? '')
        .split(/\s+/)
        .filter(word => word !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(word))
        .map(file => external_node_path_.resolve(cwd, file));
}

;// CONCATENATED MODULE: ./src/pip/input-reads.ts



/**
 * One reading of the files that decide a venv. Each file is read once: the parsers get those
 * bytes, and the venv's fingerprint (so the cache key and the "up to date" check) gets their
 * digest, so the key describes the bytes that were checked and parsed, not a later rewrite. Files
 * that are only hashed (cache-dependency-path, local archives and projects) are streamed: their
 * size does not matter.
 */
class InputReads {
    bytes = new Map();
    digests = new Map();
    /** The file's bytes, read on the first call; `reader` checks it first (the default: a requirements file). */
    read(file, reader = readRequirementsFile) {
        let bytes = this.bytes.get(file);
        if (bytes === undefined) {
            bytes = reader(file);
            this.bytes.set(file, bytes);
            this.digests.set(file, input_reads_digestOf(bytes));
        }
        return bytes;
    }
    /** Each file's digest: of the bytes read, or streamed from the file now. */
    digestsOf(files) {
        const result = {};
        for (const file of [...new Set(files)].sort()) {
            let digest = this.digests.get(file);
            if (digest === undefined) {
                digest = fileDigest(file);
                this.digests.set(file, digest);
            }
            result[file] = digest;
        }
        return result;
    }
}
function input_reads_digestOf(bytes) {
    return (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex');
}
/**
 * A file's SHA-256, read in chunks; a file that cannot be read is described by why, so that it
 * turning readable later changes the description too.
 */
function fileDigest(file) {
    let fd;
    try {
        // Checked before opening: opening a FIFO waits for a writer.
        if (!external_node_fs_.statSync(file).isFile())
            return 'not a regular file';
        fd = external_node_fs_.openSync(file, 'r');
    }
    catch (error) {
        return `unreadable: ${error.code ?? 'error'}`;
    }
    try {
        const hash = (0,external_node_crypto_.createHash)('sha256');
        const chunk = Buffer.alloc(1024 * 1024);
        for (;;) {
            const read = external_node_fs_.readSync(fd, chunk, 0, chunk.length, null);
            if (read === 0)
                break;
            hash.update(chunk.subarray(0, read));
        }
        return hash.digest('hex');
    }
    catch (error) {
        return `unreadable: ${error.code ?? 'error'}`;
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
}

;// CONCATENATED MODULE: ./src/pip/local-projects.ts


/**
 * What the local sources among the requirements add to the venv's description. A local archive
 * (`./dist/x-1.0.tar.gz`) is its bytes: they go into the fingerprint, so a rebuilt archive is a new
 * venv. A local project directory (`.`, `-e .[dev]`, `./libs/x`, `name @ file:///...`, a lock's
 * `directory` package) brings in what its pyproject.toml, setup.cfg and setup.py say: those go into
 * the fingerprint, so a dependency added there is a new venv. Its code can change under the same
 * description, so a directory installed as a copy is "moving": installed on every run, never
 * cached (an editable install points at the source, so it is not).
 */
const DECIDING = ['pyproject.toml', 'setup.cfg', 'setup.py'];
function named(entries, packages) {
    return [
        ...entries
            .filter(e => e.kind === 'requirement' || e.kind === 'editable')
            .map(e => ({ text: e.text.split(/\s+--/)[0], editable: e.kind === 'editable' })),
        // `-e` and its value are separate arguments in packages.
        ...packages.flatMap((arg, i) => arg.startsWith('-')
            ? []
            : [{ text: arg, editable: packages[i - 1] === '-e' || packages[i - 1] === '--editable' }])
    ];
}
/**
 * The local inputs of every requirement and `packages` argument. pip resolves their paths against
 * its working directory, also inside requirements files. Only regular files are read for the
 * fingerprint: a setup.py linked to /dev/zero never ends.
 */
function localInputs(entries, packages, cwd, kindOf = pathKind) {
    const files = new Set();
    const moving = [];
    for (const { text, editable } of named(entries, packages)) {
        const source = localSourceOf(text, cwd, kindOf);
        if (source?.kind === 'archive')
            files.add(source.path);
        if (source?.kind === 'directory') {
            for (const file of DECIDING.map(f => external_node_path_.join(source.path, f))) {
                if (kindOf(file) === 'file')
                    files.add(file);
            }
        }
        const changing = source ? source.kind !== 'archive' : isUnpinnedVcs(text);
        if (changing && !editable)
            moving.push(text);
    }
    return { files: [...files], moving };
}

;// CONCATENATED MODULE: ./src/pip/settings.ts



/**
 * What pip reads besides its arguments that changes what it installs: PIP_* variables and its
 * configuration files (and the constraint and requirement files they name). They belong in the
 * venv's description: an index, a constraint or `--pre` set there is as much an input as a line
 * of requirements.txt.
 */
/** PIP_* variables that change how pip talks, waits or logs, never what it installs. */
const NEUTRAL = new Set([
    'CACHE_DIR',
    'NO_CACHE_DIR',
    'CERT',
    'CLIENT_CERT',
    'CONFIG_FILE',
    'DEFAULT_TIMEOUT',
    'TIMEOUT',
    'RETRIES',
    'PROXY',
    'TRUSTED_HOST',
    'DISABLE_PIP_VERSION_CHECK',
    'NO_INPUT',
    'NO_COLOR',
    'PROGRESS_BAR',
    'QUIET',
    'VERBOSE',
    'LOG',
    'LOG_FILE',
    'ROOT_USER_ACTION',
    'REQUIRE_VIRTUALENV',
    'KEYRING_PROVIDER',
    'NO_PYTHON_VERSION_WARNING'
].map(name => `PIP_${name}`));
/** The PIP_* variables that can change the result, by name. */
function pipEnvironmentSettings(env) {
    return Object.fromEntries(Object.entries(env)
        .filter((e) => e[0].startsWith('PIP_') && e[1] !== undefined)
        .filter(([name]) => !NEUTRAL.has(name))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
/** `constraint = a b` and `requirement = c` in a configuration file, continuation lines too. */
function namedFiles(text, dir) {
    const files = [];
    let collecting = false;
    for (const line of text.split(/\r?\n/)) {
        const setting = /^(constraint|requirement)\s*[=:]\s*(.*)$/.exec(line.trim());
        if (setting) {
            collecting = true;
            files.push(...setting[2].split(/\s+/));
        }
        else if (collecting && /^\s+\S/.test(line)) {
            files.push(...line.trim().split(/\s+/));
        }
        else
            collecting = false;
    }
    return files.filter(f => f !== '').map(f => external_node_path_.resolve(dir, f));
}
/**
 * pip's configuration files that exist here, and the constraint and requirement files they
 * name: every file whose bytes go into the venv's description for pip's settings.
 */
function pipConfigInputs(env, home, cwd, read) {
    const configs = (0,platform_os/* pipConfigFiles */.lR)(env, home).filter(f => pathKind(f) === 'file');
    const named = configs.flatMap(f => {
        try {
            // pip resolves them against its working directory.
            return namedFiles(read(f).toString('utf8'), cwd);
        }
        catch {
            return []; // unreadable to venv-guard, so to pip too; its digest says so
        }
    });
    return [...configs, ...named];
}

;// CONCATENATED MODULE: ./src/pip/read.ts












/**
 * The files that really lie outside the workspace, as the notice names them: a file the
 * repository links to elsewhere (a glob follows the link) counts where it really is.
 */
function outsideWorkspace(files, workspace) {
    const root = (0,platform_os/* realPath */.Ye)(workspace);
    return files.flatMap(file => {
        const real = (0,platform_os/* realPath */.Ye)(file);
        const relative = external_node_path_.relative(root, real);
        const outside = relative === '..' || relative.startsWith(`..${external_node_path_.sep}`) || external_node_path_.isAbsolute(relative);
        if (!outside)
            return [];
        return [real === external_node_path_.resolve(file) ? file : `${file} (a link to ${real})`];
    });
}
/** The lock files, each with its packages' lines, or the problems that keep pip from reading them. */
function readLocks(files, reads) {
    const texts = [];
    const read = files.map(file => {
        const bytes = reads.read(file);
        // A lock file's URLs (archives, wheels, VCS, indexes) reach pip's messages: all of it is masked.
        texts.push(bytes.toString('utf8'));
        return readPylock(file, bytes);
    });
    return {
        texts,
        locks: read.filter((r) => 'doc' in r),
        problems: read.filter((r) => !('doc' in r))
    };
}
/**
 * The requirements files, lock files, dependency groups and constraint files, read as pip reads
 * them, before pip runs: credentials in their URLs are masked. A problem pip would stop at is in
 * `problems`, for the main step to end the step with, annotated on its line.
 */
function readRequirements(config, report) {
    const reads = new InputReads();
    const lockFiles = config.requirementFiles.filter(isPylockFile);
    // PIP_CONSTRAINT is pip's: it reaches pip by itself, and is read here for its lines and content.
    const envConstraints = envConstraintFiles(process.env, config.workingDirectory).filter(f => external_node_fs_.existsSync(f));
    const constraintFiles = [...config.constraintFiles, ...envConstraints];
    // As pip gets them, where it runs: the key, the summary and the pip run share these words.
    const groupArguments = config.dependencyGroups.map(g => groupArgument(g, config.workingDirectory));
    const files = parseRequirementFiles(config.requirementFiles.filter(file => !isPylockFile(file)), file => reads.read(file), undefined, constraintFiles);
    files.problems.push(...refusedConstraints(files));
    const { locks, problems, texts } = readLocks(lockFiles, reads);
    const groups = readDependencyGroups(config.dependencyGroups, file => reads.read(file, f => external_node_fs_.readFileSync(f)));
    const entries = [...files.entries, ...locks.flatMap(l => l.entries), ...groups.entries];
    const local = localInputs(entries, [...config.packages, ...locks.flatMap(l => l.localSources)], config.workingDirectory);
    const pipConfig = pipConfigInputs(process.env, external_node_os_.homedir(), config.workingDirectory, file => reads.read(file));
    const inputFiles = [...files.files, ...lockFiles, ...groups.files, ...local.files];
    const parsed = {
        ...files,
        files: inputFiles,
        entries,
        problems: [...files.problems, ...problems, ...groups.problems],
        locks,
        features: [
            ...(config.dependencyGroups.length > 0 ? ['dependency-groups'] : []),
            ...(lockFiles.length > 0 ? ['pylock'] : [])
        ],
        inputs: {
            files: reads.digestsOf([...inputFiles, ...pipConfig, ...config.cacheDependencyFiles]),
            roles: {
                requirements: config.requirementFiles,
                constraints: constraintFiles,
                groups: groupArguments
            },
            variables: Object.fromEntries(files.variables.map(name => [name, process.env[name] ?? ''])),
            pipSettings: pipEnvironmentSettings(process.env)
        },
        moving: local.moving,
        // Groups' requirements are pip's lines too (`name @ git+https://user:token@host/...`).
        secretTexts: [...texts, ...files.urls, ...groups.entries.map(entry => entry.text)]
    };
    const relative = (file) => external_node_path_.relative(config.workspace, file);
    report.sources = {
        groups: groupArguments,
        lockFiles: lockFiles.map(relative),
        constraintFiles: constraintFiles.map(relative)
    };
    for (const file of outsideWorkspace(parsed.files, config.workspace)) {
        (0,log/* notify */.me)(`The requirements include ${file}, which is outside the workspace.`);
    }
    for (const file of outsideWorkspace(config.cacheDependencyFiles, config.workspace)) {
        (0,log/* notify */.me)(`cache-dependency-path names ${file}, which is outside the workspace.`);
    }
    return parsed;
}
/**
 * The requirements that can change while the inputs stay the same (local projects, unpinned VCS
 * URLs), said in the log: they are installed on every run, and the venv is not cached.
 */
function sayMoving(moving) {
    if (moving.length > 0) {
        (0,log/* info */.pq)(`${moving.join(', ')} can change while the inputs stay the same: they are installed on every run, and the venv is not cached.`);
    }
}

;// CONCATENATED MODULE: ./src/python/probe.ts




function fromVersionInfo([major, minor, micro, releaseLevel, serial]) {
    return { major, minor, micro, releaseLevel, serial };
}
function factsOf(raw) {
    return {
        ...raw,
        version: fromVersionInfo(raw.version),
        implementationVersion: fromVersionInfo(raw.implementationVersion)
    };
}
/** What interpreter_probe.py printed, read as the probe does. */
function parseProbe(stdout) {
    const raw = helperResult(stdout);
    if (!raw)
        throw new Error(`no answer from interpreter_probe.py in: ${stdout.slice(0, 200)}`);
    return factsOf(raw);
}
/** Interpreters that did not answer: probed once, warned about once. */
const silent = new Set();
async function probePython(candidate) {
    const key = [candidate.command, ...candidate.args].join(' ');
    if (silent.has(key))
        return undefined;
    // interpreter_probe.py, shipped beside the bundle: one short run answers everything.
    const result = await runHelper([candidate.command, ...candidate.args], import.meta.url, 'interpreter_probe.py', [], { flags: ['-I'], env: candidate.env });
    if (!result.ok) {
        if (result.timedOut) {
            silent.add(key);
            (0,log/* warn */.R8)(`${key} (${candidate.foundBy}) did not answer within ${platform_process/* PROBE_TIMEOUT_MS */.W7 / 1000} s, so venv-guard skipped it. Fix or remove that interpreter, or name the one to use with python-path.`, { title: 'venv-guard: an interpreter does not answer' });
        }
        return undefined;
    }
    const facts = factsOf(result.value);
    return {
        ...facts,
        versionText: (0,version_spec/* formatVersion */.qh)(facts.version),
        foundBy: candidate.foundBy,
        location: candidate.location
    };
}
/** Whether an interpreter is what a version spec asks for. */
function satisfies(spec, install) {
    return (install.implementation === spec.implementation &&
        install.freeThreaded === spec.freeThreaded &&
        (0,version_spec/* versionMatches */.gz)(spec, install.version) &&
        (0,version_spec/* pypyVersionMatches */.Mn)(spec, install.implementationVersion));
}

;// CONCATENATED MODULE: ./src/python/manifest.ts




/** The manifest for the spec's implementation, read; loaded only when a download may be needed. */
async function readManifest(spec, request) {
    // Evaluated only now (tool-cache, semver), but bundled into index.js: ncc writes licenses.txt
    // per chunk, so a separate chunk would replace the bundle's license list with its own.
    if (spec.implementation === 'pypy') {
        const pypy = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 9392));
        return pypy.pypySetup(spec, request);
    }
    const installer = await Promise.resolve(/* import() eager */).then(__nccwpck_require__.bind(__nccwpck_require__, 1930));
    return installer.cpythonSetup(spec, request, (0,platform_os/* toolCacheArch */.Tm)());
}
/**
 * The interpreter to use when the runner has no match or, with check-latest, maybe only an older
 * one: the manifest's newest match, installed into the tool cache, or else the local one.
 */
async function setUpFromManifest({ spec, request, local, env, notFound }) {
    const toolCache = env.RUNNER_TOOL_CACHE;
    if (!toolCache) {
        const why = 'RUNNER_TOOL_CACHE is not set, so there is no tool cache to install Python into: run venv-guard in a GitHub Actions job, or install Python on the machine.';
        if (!local)
            throw await notFound(why);
        (0,log/* warn */.R8)(`check-latest: ${why} Using ${local.versionText} from ${local.foundBy}.`);
        return local;
    }
    let setup;
    try {
        setup = await readManifest(spec, request);
    }
    catch (error) {
        if (!local)
            throw await notFound((0,diagnostic/* errorMessage */.gJ)(error));
        (0,log/* warn */.R8)(`check-latest: ${(0,diagnostic/* errorMessage */.gJ)(error)} Using ${local.versionText} from ${local.foundBy}.`);
        return local;
    }
    const release = setup.match;
    if (!release) {
        if (local) {
            (0,log/* info */.pq)(`check-latest: ${setup.noMatch} Using ${local.versionText}.`);
            return local;
        }
        throw await notFound(setup.noMatch);
    }
    if (local && !release.newerThan(local)) {
        (0,log/* info */.pq)(`check-latest: ${local.versionText} from ${local.foundBy} is the newest release matching "${spec.text}".`);
        return local;
    }
    (0,log/* info */.pq)(local
        ? `check-latest: ${release.version} is newer than ${local.versionText} from ${local.foundBy}; installing it.`
        : `Installing ${release.label} from ${setup.url}.`);
    const candidate = await release.install(toolCache, env);
    const installed = await probePython(candidate);
    if (!installed || !satisfies(spec, installed)) {
        throw new diagnostic/* ActionError */.lZ(`${release.label} was installed into ${candidate.location}, but ${candidate.command} ${installed ? `is ${installed.versionText} (${installed.implementation}${installed.freeThreaded ? ', free-threaded' : ''}), which does not match "${spec.text}"` : 'does not run'}.`);
    }
    return installed;
}

;// CONCATENATED MODULE: ./src/python/find.ts








function listDir(dir) {
    try {
        return external_node_fs_.readdirSync(dir);
    }
    catch {
        return [];
    }
}
function firstExisting(files) {
    return files.find(file => external_node_fs_.existsSync(file));
}
/**
 * setup-python's layout: `$RUNNER_TOOL_CACHE/Python/<X.Y.Z>/<arch>/` beside `<arch>.complete`
 * (`<arch>-freethreaded` for free-threaded builds), and `PyPy/<X.Y.Z>/<arch>/` for PyPy.
 */
function toolCacheCandidates(toolCache, osName, arch, ldLibraryPath) {
    const layouts = [
        { tool: 'Python', implementation: 'cpython', arches: [arch, `${arch}-freethreaded`] },
        { tool: 'PyPy', implementation: 'pypy', arches: [arch] }
    ];
    return layouts.flatMap(({ tool, implementation, arches }) => {
        const root = external_node_path_.join(toolCache, tool);
        return listDir(root).flatMap(dir => arches.flatMap(archDir => {
            const versionDir = external_node_path_.join(root, dir);
            const prefix = external_node_path_.join(versionDir, archDir);
            if (!external_node_fs_.existsSync(external_node_path_.join(versionDir, `${archDir}.complete`)))
                return [];
            const command = firstExisting((0,platform_os/* toolCachePythons */.ck)(prefix, implementation, osName));
            if (!command)
                return [];
            return [
                {
                    command,
                    args: [],
                    foundBy: `tool cache (${prefix})`,
                    hint: (0,version_spec/* parseVersionString */.PB)(dir),
                    env: (0,platform_os/* libraryPathEnv */.WL)(prefix, ldLibraryPath, osName),
                    location: prefix
                }
            ];
        }));
    });
}
function pyenvCandidates(pyenvRoot, osName) {
    const root = external_node_path_.join(pyenvRoot, 'versions');
    return listDir(root).flatMap(dir => {
        const prefix = external_node_path_.join(root, dir);
        // PyPy's directories (`pypy3.10-7.3.12`) name only the minor version: probe them always.
        if (/^pypy\d/.test(dir)) {
            const command = firstExisting((0,platform_os/* toolCachePythons */.ck)(prefix, 'pypy', osName));
            return command ? [{ command, args: [], foundBy: `pyenv (${dir})` }] : [];
        }
        const hint = (0,version_spec/* parseVersionString */.PB)(dir.replace(/t$/, ''));
        if (!hint)
            return []; // virtualenvs and conda builds are not plain versions
        return [{ command: (0,platform_os/* prefixPython */.Fx)(prefix, osName), args: [], foundBy: `pyenv (${dir})`, hint }];
    });
}
function pathCandidates(pathVar, names, osName, isExecutable) {
    return (0,platform_os/* executablesOnPath */.KC)(pathVar, names, osName, isExecutable).map(file => ({
        command: file,
        args: [],
        foundBy: `PATH (${file})`
    }));
}
/** Every place a runner keeps interpreters, in order of preference among equal versions. */
function gatherCandidates(spec, env) {
    const osName = (0,platform_os/* currentOs */.UD)();
    const pyenvRoot = env.PYENV_ROOT || external_node_path_.join(external_node_os_.homedir(), '.pyenv');
    const candidates = [];
    if (spec) {
        if (env.RUNNER_TOOL_CACHE) {
            candidates.push(...toolCacheCandidates(env.RUNNER_TOOL_CACHE, osName, (0,platform_os/* toolCacheArch */.Tm)(), env.LD_LIBRARY_PATH));
        }
        if (env.pythonLocation) {
            candidates.push({
                command: (0,platform_os/* prefixPython */.Fx)(env.pythonLocation, osName),
                args: [],
                foundBy: `pythonLocation (${env.pythonLocation})`
            });
        }
        candidates.push(...pyenvCandidates(pyenvRoot, osName));
    }
    const minors = spec ? (0,version_spec/* minorsNamedBy */.TN)(spec) : [];
    // pyenv's shims only dispatch to the versions listed above, at the cost of a shell start each.
    const shims = external_node_path_.join(pyenvRoot, 'shims');
    const delimiter = (0,platform_os/* searchPathDelimiter */.TQ)(osName);
    const pathVar = (env.PATH ?? '')
        .split(delimiter)
        .filter(dir => !spec || !(0,platform_os/* samePath */.Eb)(dir, shims, osName))
        .join(delimiter);
    candidates.push(...pathCandidates(pathVar, (0,platform_os/* pathPythonNames */.kr)(minors, osName), osName, platform_os/* isExecutableFile */.Jf));
    if (osName === 'win32') {
        for (const minor of minors) {
            candidates.push({ command: 'py', args: [`-${minor}`], foundBy: `py launcher (-${minor})` });
        }
    }
    return candidates;
}
/** What the runner has, newest first. */
function find_describe(found) {
    if (found.length === 0)
        return 'no Python interpreter at all';
    return [...found]
        .sort((a, b) => (0,version_spec/* compareVersions */.Zy)(b.version, a.version))
        .map(p => `${p.versionText} (${p.implementation}) from ${p.foundBy}`)
        .join('; ');
}
/** actions/python-versions has CPython from 3.0 on: nothing older is ever in its manifest. */
const MANIFEST_FIRST_MAJOR = 3;
/**
 * The candidates worth a probe: a location that names its version only when that version could
 * match; on PATH, once per file (`/bin/python3` is `/usr/bin/python3` where /bin links to /usr/bin),
 * and not a file named for another minor version (`python3` that is `python3.11`) when the spec
 * names nothing but exact minor versions. Each probe is a Python start; on a no-op run they are
 * most of the time.
 */
function worthProbing(spec, candidates, realFile = platform_os/* realPath */.Ye) {
    const minors = (0,version_spec/* minorsNamedBy */.TN)(spec);
    const onlyMinors = spec.implementation === 'cpython' && minors.length === spec.clauses.length;
    const seen = new Set();
    return candidates.filter(c => {
        if (c.hint)
            return (0,version_spec/* versionMatches */.gz)({ ...spec, allowPrereleases: true }, c.hint);
        if (c.args.length > 0 || c.env)
            return true;
        const real = realFile(c.command);
        if (seen.has(real))
            return false;
        seen.add(real);
        const named = /^python(\d+\.\d+)$/.exec(external_node_path_.basename(real));
        return !(onlyMinors && named && !minors.includes(named[1]));
    });
}
/** The highest version that satisfies the spec; among equals, the first candidate found. */
function chooseInstall(spec, installs) {
    let best;
    for (const install of installs) {
        if (!satisfies(spec, install))
            continue;
        if (!best || (0,version_spec/* compareVersions */.Zy)(install.version, best.version) > 0)
            best = install;
    }
    return best;
}
async function probeAll(candidates) {
    const probed = await Promise.all(candidates.map(probePython));
    const seen = new Set();
    return probed.filter((p) => {
        if (!p)
            return false;
        const key = (0,platform_os/* realPath */.Ye)(p.executable);
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
/**
 * The interpreter findPython will most likely choose, told without starting one: `python-path`, or
 * among the candidates worth a probe the one whose location names the highest version (the first
 * where none does; with no version, the first on PATH), as chooseInstall prefers the highest.
 * What depends only on the interpreter (the user-site check) can start beside the probes, while a
 * core is free; a wrong guess costs one Python start.
 */
function likelyPython(request, env = process.env) {
    if (request.pythonPath)
        return request.pythonPath;
    let spec;
    try {
        spec = request.pythonVersion
            ? (0,version_spec/* parseVersionSpec */.ZD)(request.pythonVersion, request.allowPrereleases)
            : undefined;
    }
    catch {
        return undefined; // findPython tells why
    }
    const candidates = gatherCandidates(spec, env);
    const probed = spec ? worthProbing(spec, candidates) : candidates.slice(0, 1);
    // A hint the spec itself refuses (a prerelease it does not allow) is no likely choice.
    const rank = (c) => c.hint && (!spec || (0,version_spec/* versionMatches */.gz)(spec, c.hint)) ? c.hint : undefined;
    let likely = probed[0];
    for (const c of probed) {
        const [hint, best] = [rank(c), rank(likely)];
        if (hint && (!best || (0,version_spec/* compareVersions */.Zy)(hint, best) > 0))
            likely = c;
    }
    // The early check runs the command as it is: no arguments, no environment of its own.
    const plain = likely && likely.args.length === 0 && Object.keys(likely.env ?? {}).length === 0;
    return plain ? likely.command : undefined;
}
async function findPython(request, env = process.env) {
    const spec = request.pythonVersion
        ? (0,version_spec/* parseVersionSpec */.ZD)(request.pythonVersion, request.allowPrereleases)
        : undefined;
    if (request.pythonPath) {
        const install = await probePython({
            command: request.pythonPath,
            args: [],
            foundBy: "input 'python-path'"
        });
        if (!install) {
            throw new diagnostic/* ActionError */.lZ(`Input 'python-path' has the value "${request.pythonPath}": it is not a Python interpreter that runs. Point it at an executable python, or remove it and use python-version.`, { title: "venv-guard: invalid input 'python-path'" });
        }
        if (spec && !satisfies(spec, install)) {
            throw new diagnostic/* ActionError */.lZ(`Input 'python-path' (${install.versionText}, ${install.implementation}) contradicts ${request.pythonVersionSource} ("${spec.text}"): python-path wins over a version spec, so set only one of them, or make them agree.`, { title: "venv-guard: invalid input 'python-path'" });
        }
        return install;
    }
    const candidates = gatherCandidates(spec, env);
    if (!spec) {
        // The runner's default python: the first one on PATH that runs.
        for (const candidate of candidates) {
            const install = await probePython(candidate);
            if (install)
                return { ...install, foundBy: `${install.foundBy}, the default python` };
        }
        throw new diagnostic/* ActionError */.lZ('No Python interpreter was found on PATH. Set python-version (e.g. 3.12) or python-path, or add actions/setup-python before this step.');
    }
    const probed = worthProbing(spec, candidates);
    const installs = await probeAll(probed);
    const local = chooseInstall(spec, installs);
    if (local && !request.checkLatest)
        return local;
    const everything = async () => probed.length === candidates.length ? installs : await probeAll(candidates);
    const notFound = async (why) => new diagnostic/* ActionError */.lZ(`No Python matching "${spec.text}" (from ${request.pythonVersionSource}) was found on the runner. Found: ${find_describe(await everything())}. ${why}`, { title: 'venv-guard: Python version not found' });
    // Decided without the network: no manifest retries for a version no download can provide.
    if (spec.implementation === 'cpython' &&
        request.pythonManifestUrl === '' &&
        (0,version_spec/* onlyBefore */.Gq)(spec, MANIFEST_FIRST_MAJOR)) {
        if (local)
            return local;
        throw new diagnostic/* ActionError */.lZ(`Python "${spec.text}" (from ${request.pythonVersionSource}) can come only from the runner itself, and it has none: the python-versions manifest has no CPython before ${MANIFEST_FIRST_MAJOR}.0. Found: ${find_describe(await everything())}. Install it on the runner (pyenv, the tool cache, python-path), or ask for a ${MANIFEST_FIRST_MAJOR}.x version.`, { title: 'venv-guard: Python version not found' });
    }
    return setUpFromManifest({ spec, request, local, env, notFound });
}

;// CONCATENATED MODULE: ./src/python/use.ts



/** The version as the outputs name it: `3.12.1`, or setup-python's `pypy3.10.14-7.3.17` for PyPy. */
function versionName(python) {
    if (python.implementation !== 'pypy')
        return python.versionText;
    return `pypy${python.versionText}-${(0,version_spec/* formatVersion */.qh)(python.implementationVersion)}`;
}
/** `Python 3.12.1 (cpython)`, `PyPy 7.3.17 (Python 3.10.14)`: how the log names an interpreter. */
function interpreterName(python) {
    if (python.implementation === 'pypy') {
        return `PyPy ${(0,version_spec/* formatVersion */.qh)(python.implementationVersion)} (Python ${python.versionText})`;
    }
    return `Python ${python.versionText} (${python.implementation})`;
}
/**
 * The base interpreter for this run, found (or set up) as the inputs ask, said in the log and the
 * summary. The main step sets the outputs and exports a tool-cache interpreter's location.
 */
async function findBasePython(request, report) {
    // Where the version came from, first: a .python-version read by default can surprise.
    if (request.pythonVersion) {
        const kind = /^pypy/i.test(request.pythonVersion.trim()) ? 'PyPy' : 'Python';
        (0,log/* info */.pq)(`${kind} "${request.pythonVersion}", from ${request.pythonVersionSource}`);
    }
    const python = await findPython(request);
    (0,log/* info */.pq)(`${interpreterName(python)} at ${python.executable}, found by ${python.foundBy}`);
    report.python = {
        executable: python.executable,
        version: versionName(python),
        implementation: python.implementation,
        foundBy: python.foundBy
    };
    return python;
}

;// CONCATENATED MODULE: ./src/python/location.ts

/**
 * What actions/setup-python exports for the interpreter it sets up, so that later steps building C
 * extensions (pkg-config, CMake's FindPython, the linker) find its headers and libraries. Unlike
 * setup-python, PKG_CONFIG_PATH keeps what it had after Python's entry, and only the
 * Python<major>_ROOT_DIR of the interpreter's own major version is set.
 */
function locationVariables(prefix, major, env, os = (0,platform_os/* currentOs */.UD)()) {
    return {
        pythonLocation: prefix,
        Python_ROOT_DIR: prefix,
        [`Python${major}_ROOT_DIR`]: prefix,
        PKG_CONFIG_PATH: (0,platform_os/* prependSearchPath */.GK)((0,platform_os/* pkgConfigDir */.qH)(prefix, os), env.PKG_CONFIG_PATH, os),
        ...(0,platform_os/* libraryPathEnv */.WL)(prefix, env.LD_LIBRARY_PATH, os)
    };
}
/**
 * The variables for a tool-cache interpreter and its bin on PATH, as a setup-python step before
 * venv-guard would export them. The main step activates the venv afterwards, so the venv's bin
 * stays first and the base's tools (python3-config, idle) remain reachable behind it.
 */
function pythonLocationEnv(prefix, major) {
    return {
        variables: locationVariables(prefix, major, process.env),
        path: (0,platform_os/* installationPaths */.xT)(prefix)
    };
}

;// CONCATENATED MODULE: ./src/main.ts





















/**
 * The main step's story: read the inputs, find Python, check where its pip would install, read
 * the requirements, restore the cache, prepare the venv, install, check, and tell the post step
 * what to save. Each step is one call; what it returns is all the next ones know of it. Every
 * effect on the runner (outputs, later steps' environment, state for the post step) is made here.
 */
async function setUp(report) {
    const config = await readConfig();
    const cache = CacheSession.open(config);
    for (const arg of [...config.pipArgs, ...config.packages, ...config.upgrade])
        (0,secrets/* maskUrlCredentials */.gn)(arg);
    (0,secrets/* maskPipEnvironment */.lt)(process.env);
    checkPlacementVariables(config);
    // The probes start first, as all else waits for them; the likely interpreter's user-site check
    // starts beside them.
    const finding = timed(report, 'find Python', () => findBasePython(config, report));
    const early = checkEarly(likelyPython(config));
    const python = await finding;
    setOutput(Outputs.PythonVersion, versionName(python));
    setOutput(Outputs.BasePythonPath, python.executable);
    if (python.location)
        exportToLaterSteps(pythonLocationEnv(python.location, python.version.major));
    // The user-site check needs only the interpreter: beside a venv it runs while the cache is
    // restored. Without one it can stop the step before pip, and so it comes first.
    const userSite = UserSiteGuard.check(python, early);
    const startGuard = async () => {
        const facts = await timed(report, 'check user site', () => userSite);
        const guard = UserSiteGuard.start(config, python, report, facts);
        setOutput(Outputs.UserSiteFallback, guard.fallbackReason !== '');
        setOutput(Outputs.FallbackReason, guard.fallbackReason);
        // Saved now, so that the post step audits even when this step fails later.
        const before = guard.auditState();
        if (before)
            saveState(State.UserSite, before);
        guard.checkBeforePip();
        return guard;
    };
    const guardFirst = config.createVenv ? undefined : await startGuard();
    const requirements = readRequirements(config, report);
    for (const text of requirements.secretTexts)
        (0,secrets/* maskUrlCredentials */.gn)(text);
    const digest = fingerprint(fingerprintInputs(config, python, requirements.inputs));
    const readable = requirements.problems.length === 0;
    const restored = readable
        ? await cache.restore({
            python,
            fingerprint: digest,
            inputs: requirements.inputs.files,
            moving: requirements.moving,
            report
        })
        : undefined;
    const guard = guardFirst ?? (await startGuard());
    if (!restored)
        throw requirementsFailure(requirements.problems, config.workspace);
    sayMoving(requirements.moving);
    const moving = requirements.moving.length > 0;
    setOutput(Outputs.CacheHit, restored.hit);
    if (restored.venvKey)
        setOutput(Outputs.CacheKey, restored.venvKey);
    const target = await prepareTarget({
        settings: config,
        python,
        fingerprint: digest,
        restored: restored.hit,
        earlier: restored.earlier,
        moving,
        report
    });
    report.versionsBefore = trackedVersions(target, 'Before');
    const installs = !target.upToDate || moving;
    const { installed, content, pipCheckPassed } = installs
        ? await install({ config, python, target, requirements, guard, report, seeds: cache })
        : { installed: [], content: target.venv?.held, pipCheckPassed: false };
    report.versionsAfter = trackedVersions(target, 'After');
    const checked = guard.finish(target.venv ? [target.sitePackages] : [python.purelib, python.platlib], installed);
    setOutput(Outputs.CleanInstall, checked.clean);
    const after = guard.auditState();
    if (after)
        saveState(State.UserSite, after);
    finishTarget(target, content);
    if (target.venv) {
        if (config.activate)
            exportToLaterSteps(activation(target.venv.path));
        setOutput(Outputs.VenvPath, target.venv.path);
    }
    setOutput(Outputs.PythonPath, target.python);
    if (checked.laterSteps)
        exportToLaterSteps(checked.laterSteps);
    // Nothing about the cache may fail a step whose install succeeded.
    const toSave = await cache.toSave({ installed: installs, pipCheckPassed });
    if (toSave)
        saveState(State.Cache, toSave);
}
/** The main step: every failure ends as one annotation, never a stack trace. */
async function run() {
    const report = newReport();
    (0,platform_process/* onCancel */.Ao)(signal => (0,log/* tell */.qz)({
        severity: 'error',
        message: `venv-guard was cancelled (${signal}): pip and everything venv-guard started are stopped. A venv it was installing stays marked incomplete, and the next run rebuilds it.`
    }));
    try {
        await setUp(report);
    }
    catch (caught) {
        if (!(caught instanceof diagnostic/* ActionError */.lZ)) {
            (0,log/* tell */.qz)({
                severity: 'error',
                message: `venv-guard failed unexpectedly: ${(0,diagnostic/* errorMessage */.gJ)(caught)}`
            });
        }
        else if (!caught.told)
            (0,log/* tell */.qz)(caught.diagnostic);
        process.exitCode = 1;
    }
    finally {
        await writeSummary(report, (0,log/* toldSoFar */.d1)());
    }
}


/***/ }),

/***/ 1597:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Am: () => (/* binding */ localeEncoding),
/* harmony export */   Dz: () => (/* binding */ savesArchivesInParts),
/* harmony export */   Eb: () => (/* binding */ samePath),
/* harmony export */   Fx: () => (/* binding */ prefixPython),
/* harmony export */   Fy: () => (/* binding */ plainShebang),
/* harmony export */   GK: () => (/* binding */ prependSearchPath),
/* harmony export */   IK: () => (/* binding */ executableName),
/* harmony export */   Jf: () => (/* binding */ isExecutableFile),
/* harmony export */   KC: () => (/* binding */ executablesOnPath),
/* harmony export */   Lc: () => (/* binding */ pipCacheDir),
/* harmony export */   N0: () => (/* binding */ tarCommand),
/* harmony export */   Sg: () => (/* binding */ venvBinDir),
/* harmony export */   TQ: () => (/* binding */ searchPathDelimiter),
/* harmony export */   Tm: () => (/* binding */ toolCacheArch),
/* harmony export */   UD: () => (/* binding */ currentOs),
/* harmony export */   W0: () => (/* binding */ currentOsVersion),
/* harmony export */   WL: () => (/* binding */ libraryPathEnv),
/* harmony export */   Ye: () => (/* binding */ realPath),
/* harmony export */   ZF: () => (/* binding */ ownProcessGroup),
/* harmony export */   bK: () => (/* binding */ systemWheelDirs),
/* harmony export */   bV: () => (/* binding */ prefixBinDir),
/* harmony export */   c4: () => (/* binding */ venvSitePackages),
/* harmony export */   ck: () => (/* binding */ toolCachePythons),
/* harmony export */   cy: () => (/* binding */ archiveSetup),
/* harmony export */   dd: () => (/* binding */ copyIntoCommand),
/* harmony export */   eR: () => (/* binding */ venvSitePackagesFound),
/* harmony export */   ge: () => (/* binding */ pypyPlatform),
/* harmony export */   kr: () => (/* binding */ pathPythonNames),
/* harmony export */   lR: () => (/* binding */ pipConfigFiles),
/* harmony export */   n3: () => (/* binding */ rangeReader),
/* harmony export */   pP: () => (/* binding */ pypyAliases),
/* harmony export */   qH: () => (/* binding */ pkgConfigDir),
/* harmony export */   qb: () => (/* binding */ venvPython),
/* harmony export */   vF: () => (/* binding */ treeStop),
/* harmony export */   xT: () => (/* binding */ installationPaths)
/* harmony export */ });
/* unused harmony export osVersion */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



function currentOs() {
    const os = process.platform;
    if (os === 'win32' || os === 'darwin')
        return os;
    return 'linux';
}
function pathFor(os) {
    return os === 'win32' ? node_path__WEBPACK_IMPORTED_MODULE_2__.win32 : node_path__WEBPACK_IMPORTED_MODULE_2__.posix;
}
/** Where a venv keeps its executables: `bin/` on POSIX, `Scripts\` on Windows. */
function venvBinDir(venv, os = currentOs()) {
    return pathFor(os).join(venv, os === 'win32' ? 'Scripts' : 'bin');
}
/** The interpreter inside a venv. */
function venvPython(venv, os = currentOs()) {
    return pathFor(os).join(venvBinDir(venv, os), os === 'win32' ? 'python.exe' : 'python');
}
/**
 * The interpreter inside an installation prefix, as the tool cache and `pythonLocation` lay it out:
 * `python.exe` at the root on Windows, `bin/python3` elsewhere.
 */
function prefixPython(prefix, os = currentOs()) {
    const p = pathFor(os);
    return os === 'win32' ? p.join(prefix, 'python.exe') : p.join(prefix, 'bin', 'python3');
}
/**
 * The interpreters to try in a tool-cache installation, first found wins. PyPy's archives name it
 * `pypy3`; setup-python adds `python` beside it.
 */
function toolCachePythons(prefix, implementation, os = currentOs()) {
    if (implementation === 'cpython')
        return [prefixPython(prefix, os)];
    const p = pathFor(os);
    return os === 'win32'
        ? [p.join(prefix, 'pypy3.exe'), p.join(prefix, 'python.exe')]
        : [p.join(prefix, 'bin', 'pypy3'), p.join(prefix, 'bin', 'python')];
}
/** The separator of PATH-like variables. */
function searchPathDelimiter(os = currentOs()) {
    return os === 'win32' ? ';' : ':';
}
/** Whether two paths name the same place: case-insensitive on Windows and macOS' default disks. */
function samePath(a, b, os = currentOs()) {
    const p = pathFor(os);
    const [x, y] = [p.resolve(a), p.resolve(b)];
    return os === 'linux' ? x === y : x.toLowerCase() === y.toLowerCase();
}
/** Where a base installation keeps its interpreter: `bin/` on POSIX, the prefix itself on Windows. */
function prefixBinDir(prefix, os = currentOs()) {
    return os === 'win32' ? prefix : pathFor(os).join(prefix, 'bin');
}
/** Directories of pip/setuptools wheels a distribution ships for its Pythons (Debian's python3-*-whl). */
function systemWheelDirs(os = currentOs()) {
    return os === 'linux' ? ['/usr/share/python-wheels'] : [];
}
/**
 * The tar that reads and writes the cache-dir archives. On Windows, the system's bsdtar: a GNU tar
 * from Git earlier on PATH takes `C:\...` for a remote host.
 */
function tarCommand(os = currentOs(), env = process.env) {
    if (os !== 'win32')
        return 'tar';
    return node_path__WEBPACK_IMPORTED_MODULE_2__.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'tar.exe');
}
/**
 * Whether a cache-dir archive is written in parts (cache/parts.ts): its tars read their file lists
 * with `-T`, which Windows' tar.exe may read in the ANSI code page, losing non-ASCII names; there
 * the archive is made by one tar that walks the directory itself.
 */
function savesArchivesInParts(os = currentOs()) {
    return os !== 'win32';
}
/**
 * A program that writes bytes `start` to `end` (exclusive) of the file it is given as its stdin
 * to its stdout, for a tar to read a part of a cache-dir archive in place, or undefined where there
 * is none to count on: GNU's and BusyBox's dd take byte offsets (`iflag=skip_bytes,count_bytes`),
 * macOS's counts in blocks, and Windows saves no parts. It opens its stdin anew through /proc, for
 * an offset of its own: the readers of one archive run side by side.
 */
function rangeReader(range, os = currentOs()) {
    if (os !== 'linux')
        return undefined;
    const bytes = [
        'iflag=skip_bytes,count_bytes',
        `skip=${range.start}`,
        `count=${range.end - range.start}`
    ];
    return { command: 'dd', args: ['if=/proc/self/fd/0', 'bs=128K', ...bytes, 'status=none'] };
}
/** A search path (`a:b`, `a;b` on Windows) with `entry` first and no duplicate of it. */
function prependSearchPath(entry, current, os = currentOs()) {
    const delimiter = searchPathDelimiter(os);
    const rest = (current ?? '').split(delimiter).filter(d => d !== '' && d !== entry);
    return [entry, ...rest].join(delimiter);
}
/**
 * The python-versions Linux builds are shared-library builds linked for /opt/hostedtoolcache: in any
 * other tool cache they start only with their lib/ on LD_LIBRARY_PATH. Other systems need nothing.
 */
function libraryPathEnv(prefix, current, os = currentOs()) {
    if (os !== 'linux')
        return {};
    return { LD_LIBRARY_PATH: prependSearchPath(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(prefix, 'lib'), current, os) };
}
/** pkg-config's files of a base installation (python3.pc). */
function pkgConfigDir(prefix, os = currentOs()) {
    return pathFor(os).join(prefix, 'lib', 'pkgconfig');
}
/** What setup-python puts on PATH for a base installation: its root and its scripts directory. */
function installationPaths(prefix, os = currentOs()) {
    // A base installation keeps its scripts where a venv does: bin/ or Scripts\.
    return [prefix, venvBinDir(prefix, os)];
}
/** How a python-versions archive is unpacked and its setup script started. */
function archiveSetup(os = currentOs()) {
    return os === 'win32'
        ? { archive: 'zip', command: 'powershell', args: ['-NoProfile', '-File', './setup.ps1'] }
        : { archive: 'tar', command: 'bash', args: ['./setup.sh'] };
}
/**
 * How PyPy's versions.json names this runner's archives and how they unpack: zips for `win64` (older
 * releases: `win32`), tar.bz2 elsewhere; Linux's arm64 is `aarch64` there, its x86 `i686`.
 */
function pypyPlatform(os = currentOs(), nodeArch = process.arch) {
    const arch = toolCacheArch(nodeArch);
    if (os === 'win32')
        return { platforms: ['win64', 'win32'], arch, archive: 'zip' };
    const linuxArch = { arm64: 'aarch64', x86: 'i686' }[arch];
    return { platforms: [os], arch: (os === 'linux' && linuxArch) || arch, archive: 'tar' };
}
/** What setup-python links to PyPy's `pypy3` (prefixBinDir), so `python` and `python3` start it. */
function pypyAliases(minor, os = currentOs()) {
    const ext = os === 'win32' ? '.exe' : '';
    return { target: `pypy3${ext}`, links: [`python3${ext}`, `python${ext}`, `pypy${minor}${ext}`] };
}
/** A path with its links resolved, for telling whether two paths are one file; as given when it is gone. */
function realPath(file) {
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync(file);
    }
    catch {
        return node_path__WEBPACK_IMPORTED_MODULE_2__.resolve(file);
    }
}
/** Executable names to look for on PATH, most specific first. */
function pathPythonNames(minors, os = currentOs()) {
    if (os === 'win32')
        return ['python.exe', 'python3.exe'];
    return [...minors.map(m => `python${m}`), 'python3', 'python'];
}
/** The tool cache's architecture directory name (setup-python's layout). */
function toolCacheArch(nodeArch = process.arch) {
    switch (nodeArch) {
        case 'x64':
            return 'x64';
        case 'ia32':
            return 'x86';
        case 'arm64':
            return 'arm64';
        case 'arm':
            return 'arm';
        default:
            return nodeArch;
    }
}
/**
 * Whether pip writes a script's first line as plain `#!<python>`, which a copied script can be
 * re-pointed at by rewriting that line: distlib's rule, no space and at most 127 bytes in all (512
 * on macOS). Windows' scripts are .exe launchers, never re-pointed.
 */
function plainShebang(python, os = currentOs()) {
    if (os === 'win32')
        return false;
    const limit = os === 'darwin' ? 512 : 127;
    return !python.includes(' ') && Buffer.byteLength(python) + 3 <= limit;
}
/**
 * Copies files and directories into a directory as they are, modification times included (a
 * copied .pyc stays valid only beside a source as old as it says): POSIX `cp -pR`, one process
 * for all, several times faster than Node's recursive copy of a few thousand files.
 */
function copyIntoCommand(sources, dir) {
    return { command: 'cp', args: ['-pR', ...sources, dir] };
}
/** A venv's site-packages: `Lib\site-packages` on Windows, `lib/pythonX.Y/site-packages` elsewhere. */
function venvSitePackages(venv, version, implementation = 'cpython', freeThreaded = false, os = currentOs()) {
    const p = pathFor(os);
    if (os === 'win32')
        return p.join(venv, 'Lib', 'site-packages');
    const stem = implementation === 'pypy' ? 'pypy' : 'python';
    const suffix = freeThreaded ? 't' : '';
    return p.join(venv, 'lib', `${stem}${version.major}.${version.minor}${suffix}`, 'site-packages');
}
/**
 * The site-packages directories a venv has, found rather than computed, so that any
 * interpreter's layout is covered: `Lib\site-packages` on Windows, `lib/<python>/site-packages`
 * elsewhere (never through a link: `lib64` leads to `lib`).
 */
function venvSitePackagesFound(venv, os = currentOs()) {
    const p = pathFor(os);
    if (os === 'win32')
        return [p.join(venv, 'Lib', 'site-packages')];
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync(p.join(venv, 'lib'), { withFileTypes: true })
            .filter(entry => entry.isDirectory())
            .map(entry => p.join(venv, 'lib', entry.name, 'site-packages'))
            .sort();
    }
    catch {
        return [];
    }
}
/**
 * The encoding pip reads a requirements file in when it has no BOM and no coding comment:
 * Python's locale encoding, UTF-8 on Linux and macOS runners, the ANSI code page on Windows.
 */
function localeEncoding(os = currentOs()) {
    return os === 'win32' ? 'windows-1252' : 'utf-8';
}
/**
 * The operating system's release as it goes into a cache key: a venv's compiled extensions and
 * its interpreter's shared libraries belong to it. Linux: distribution and version from
 * /etc/os-release (`ubuntu-24.04`); macOS: the Darwin major version, which changes with each
 * macOS major release; Windows: the build number, which tells Server 2022 from 2025.
 */
function osVersion(os, osRelease, kernelRelease) {
    let version;
    if (os === 'linux') {
        const field = (name) => new RegExp(`^${name}=["']?([^"'\\n]*)`, 'm').exec(osRelease ?? '')?.[1] ?? '';
        const id = field('ID');
        version = id ? `${id}-${field('VERSION_ID') || field('BUILD_ID') || 'rolling'}` : kernelRelease;
    }
    else if (os === 'darwin') {
        version = `darwin${kernelRelease.split('.')[0]}`;
    }
    else {
        version = `windows-${kernelRelease}`;
    }
    return version.replace(/[^A-Za-z0-9._-]+/g, '_');
}
/** This machine's osVersion(). */
function currentOsVersion() {
    const os = currentOs();
    let osRelease;
    for (const file of os === 'linux' ? ['/etc/os-release', '/usr/lib/os-release'] : []) {
        try {
            osRelease = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(file, 'utf8');
            break;
        }
        catch {
            // the next candidate
        }
    }
    return osVersion(os, osRelease, node_os__WEBPACK_IMPORTED_MODULE_1__.release());
}
/**
 * pip's cache directory as pip itself chooses it (PIP_CACHE_DIR, else the platform's user cache
 * directory), or undefined when PIP_NO_CACHE_DIR turns the cache off.
 */
function pipCacheDir(env, home, os = currentOs()) {
    if (env.PIP_NO_CACHE_DIR)
        return undefined;
    if (env.PIP_CACHE_DIR)
        return env.PIP_CACHE_DIR;
    const p = pathFor(os);
    if (os === 'win32')
        return p.join(env.LOCALAPPDATA || p.join(home, 'AppData', 'Local'), 'pip', 'Cache');
    if (os === 'darwin')
        return p.join(home, 'Library', 'Caches', 'pip');
    return p.join(env.XDG_CACHE_HOME || p.join(home, '.cache'), 'pip');
}
/**
 * The configuration files pip reads, as pip finds them (global, user, PIP_CONFIG_FILE), whether
 * they exist or not; none when PIP_CONFIG_FILE is the null device, which turns them all off.
 */
function pipConfigFiles(env, home, os = currentOs()) {
    const p = pathFor(os);
    const own = env.PIP_CONFIG_FILE ? [env.PIP_CONFIG_FILE] : [];
    if (env.PIP_CONFIG_FILE === (os === 'win32' ? 'nul' : '/dev/null'))
        return [];
    if (os === 'win32') {
        return [
            p.join(env.PROGRAMDATA || 'C:\\ProgramData', 'pip', 'pip.ini'),
            p.join(home, 'pip', 'pip.ini'),
            p.join(env.APPDATA || p.join(home, 'AppData', 'Roaming'), 'pip', 'pip.ini'),
            ...own
        ];
    }
    const user = [p.join(home, '.pip', 'pip.conf'), p.join(home, '.config', 'pip', 'pip.conf')];
    if (os === 'darwin') {
        return [
            '/Library/Application Support/pip/pip.conf',
            ...user,
            p.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'),
            ...own
        ];
    }
    const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(d => d !== '');
    return [
        ...configDirs.map(d => p.join(d, 'pip', 'pip.conf')),
        '/etc/pip.conf',
        ...user,
        ...(env.XDG_CONFIG_HOME ? [p.join(env.XDG_CONFIG_HOME, 'pip', 'pip.conf')] : []),
        ...own
    ];
}
/** The file name of a program on PATH (`zstd.exe` on Windows). */
function executableName(name, os = currentOs()) {
    return os === 'win32' ? `${name}.exe` : name;
}
function isExecutableFile(file) {
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.accessSync(file, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.X_OK);
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(file).isFile();
    }
    catch {
        return false;
    }
}
/** The files named `names` in PATH's directories that pass `isExecutable`, each name in PATH order. */
function executablesOnPath(pathVar, names, os = currentOs(), isExecutable = isExecutableFile) {
    const dirs = pathVar.split(searchPathDelimiter(os)).filter(d => d !== '');
    return names.flatMap(name => dirs.map(dir => node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, name)).filter(isExecutable));
}
/** Whether a child gets a process group of its own, so that it can be stopped with what it starts. */
function ownProcessGroup(os = currentOs()) {
    return os !== 'win32';
}
/**
 * How a child is stopped with everything it started: on POSIX the signal goes to its process group
 * (see ownProcessGroup); Windows has no such groups, and `taskkill /T /F` ends the process tree.
 */
function treeStop(pid, signal, os = currentOs()) {
    return os === 'win32'
        ? { kind: 'command', command: 'taskkill', args: ['/pid', String(pid), '/T', '/F'] }
        : { kind: 'group', pid: -pid, signal };
}


/***/ }),

/***/ 8424:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  W7: () => (/* binding */ PROBE_TIMEOUT_MS),
  gH: () => (/* binding */ allDone),
  Ao: () => (/* binding */ onCancel),
  C0: () => (/* binding */ removeAll),
  eF: () => (/* binding */ run),
  GA: () => (/* binding */ scratchDir),
  kA: () => (/* binding */ shippedFile),
  hM: () => (/* binding */ withScratch)
});

// UNUSED EXPORTS: DRAIN_MS, childEnv, removeScratch

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __nccwpck_require__(3136);
// EXTERNAL MODULE: ./src/report/diagnostic.ts
var diagnostic = __nccwpck_require__(1751);
// EXTERNAL MODULE: ./src/report/log.ts
var report_log = __nccwpck_require__(6472);
// EXTERNAL MODULE: ./src/platform/os.ts
var os = __nccwpck_require__(1597);
;// CONCATENATED MODULE: ./src/platform/process.ts








function childEnv(overrides = {}) {
    const env = {};
    for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
        if (value !== undefined)
            env[key] = value;
    }
    return env;
}
/**
 * How long a probe (a short script run by an interpreter) may take: a fraction of a second when
 * all is well; an interpreter silent this long (a hung shim, a dead network drive) is given up.
 */
const PROBE_TIMEOUT_MS = 10_000;
/** The children running now: a cancelled step stops them with everything they started. */
const running = new Set();
let cancelled = false;
function stopTree(child, signal) {
    if (child.pid === undefined)
        return;
    const stop = (0,os/* treeStop */.vF)(child.pid, signal);
    try {
        if (stop.kind === 'group')
            process.kill(stop.pid, stop.signal);
        else
            (0,external_node_child_process_namespaceObject.spawnSync)(stop.command, stop.args, { stdio: 'ignore', windowsHide: true });
    }
    catch {
        // gone already
    }
}
/**
 * Runs a program with an argument array, never through a shell, in a process group of its own so
 * that it is stopped with everything it starts (pip's build backends, compileall's workers). The
 * exit status is returned, not thrown; a program that cannot be started throws an ActionError that
 * says so. Node's child_process, not @actions/exec: that one starts no process group, has no
 * timeout and does not tell the child's pid, so neither a silent interpreter nor a cancelled step
 * could be stopped.
 */
function run(command, args, options = {}) {
    // Stopped before it started: it never starts.
    if (options.signal?.aborted)
        return Promise.resolve({ exitCode: -1, stdout: '', stderr: '', timedOut: false, stopped: true });
    if (options.stream)
        (0,report_log/* info */.pq)(`[command] ${options.display ?? [command, ...args].join(' ')}`);
    return new Promise((resolve, reject) => {
        // Once the step is cancelled nothing new starts, and the caller never goes on (see onCancel).
        if (cancelled)
            return;
        const handOver = options.handOver;
        let child;
        try {
            child = (0,external_node_child_process_namespaceObject.spawn)(command, args, {
                cwd: options.cwd,
                env: childEnv(options.env),
                // A pipe but for a hand-over: an input given later is piped in, none is ended at once.
                stdio: [handOver ?? 'pipe', 'pipe', 'pipe'],
                detached: (0,os/* ownProcessGroup */.ZF)(),
                windowsHide: true
            });
        }
        finally {
            // The child has its own copy, if it started: this end must not read what is meant for it,
            // nor keep the writer waiting.
            if (typeof handOver === 'object')
                handOver.destroy();
        }
        running.add(child);
        // Pipes, as spawned.
        const stdout = child.stdout;
        const stderr = child.stderr;
        const stdin = child.stdin;
        if (stdin) {
            // A child that stops reading (it failed) must not fail the writer: its exit status tells.
            stdin.on('error', () => undefined);
            // An input that fails or is closed ends the child's: it must never wait for what will not come.
            const endInput = () => stdin.end();
            if (options.input)
                options.input.on('error', endInput).on('close', endInput).pipe(stdin);
            else
                stdin.end();
        }
        const out = [];
        const err = [];
        // Both streams into stdout: the runner reads stdout and stderr apart, and a line of stderr
        // could arrive after command processing has resumed.
        const log = options.stream ? new report_log/* UntrustedOutput */.Qb() : undefined;
        if (options.pipeTo)
            options.pipeTo(stdout);
        else
            stdout.on('data', (d) => {
                out.push(d);
                log?.write(d);
            });
        stderr.on('data', (d) => {
            err.push(d);
            log?.write(d);
            options.onStderr?.(d);
        });
        let timedOut = false;
        let stopped = false;
        let drain;
        let settled = false;
        const result = (exitCode) => ({
            exitCode,
            stdout: Buffer.concat(out).toString(),
            stderr: Buffer.concat(err).toString(),
            timedOut,
            stopped
        });
        const settle = (then) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            clearTimeout(drain);
            options.signal?.removeEventListener('abort', stop);
            running.delete(child);
            log?.end();
            if (!cancelled)
                then();
        };
        // A timeout stops the child and what it started at once; what it started may hold the pipes
        // open, so the result does not wait for them.
        const timer = options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                stopTree(child, 'SIGKILL');
                settle(() => resolve(result(-1)));
            }, options.timeoutMs);
        // Stopped by its signal: what it started too, and the result waits for the child's exit (on
        // Windows taskkill returns before the processes are gone), at most the drain.
        const stop = () => {
            stopped = true;
            // One that exited already is only waited for: its pid may be another process's by now.
            if (child.exitCode === null && child.signalCode === null)
                stopTree(child, 'SIGKILL');
            clearTimeout(drain);
            drain = setTimeout(() => settle(() => resolve(result(-1))), DRAIN_MS);
        };
        options.signal?.addEventListener('abort', stop, { once: true });
        child.on('error', error => settle(() => reject(new diagnostic/* ActionError */.lZ(`Could not start ${command}: ${(0,diagnostic/* errorMessage */.gJ)(error)} If it was there a moment ago, something removed it or changed its permissions while venv-guard ran; run the step again.`))));
        const exitCode = (code, signal) => code ?? (signal ? 128 : -1);
        // A program that exits while something it started keeps its output open (a build backend's
        // daemon) would hold 'close' forever: after a short drain, what is left of its group stops.
        child.on('exit', (code, signal) => {
            // Settled already (a timeout): its pid may be another process's by now, so no more stops.
            if (settled || stopped) {
                stdout.destroy();
                stderr.destroy();
                settle(() => resolve(result(-1)));
                return;
            }
            drain = setTimeout(() => {
                stopTree(child, 'SIGKILL');
                stdout.destroy();
                stderr.destroy();
                settle(() => resolve(result(exitCode(code, signal))));
            }, DRAIN_MS);
        });
        child.on('close', (code, signal) => settle(() => resolve(result(stopped ? -1 : exitCode(code, signal)))));
    });
}
/**
 * Every one's value, once all of `work` has ended, else the first failure: no process started for
 * one (a tar, a pip run) outlives the work the caller does next (its scratch, its judgement).
 */
async function allDone(work) {
    const settled = await Promise.allSettled(work);
    const failed = settled.find(r => r.status === 'rejected');
    if (failed)
        throw failed.reason;
    return settled.map(r => r.value);
}
/** Where scratch files go: the runner's temporary directory, else the system's. */
function scratchDir() {
    return process.env.RUNNER_TEMP || external_node_os_.tmpdir();
}
/**
 * Removes `file` and all it holds, directories without write permission too (an archive can hold
 * some, and without root their entries cannot be removed until they are writable again).
 */
function removeAll(file) {
    try {
        external_node_fs_.rmSync(file, { recursive: true, force: true });
    }
    catch {
        const open = (dir) => {
            external_node_fs_.chmodSync(dir, 0o700);
            for (const entry of external_node_fs_.readdirSync(dir, { withFileTypes: true }))
                if (entry.isDirectory())
                    open(external_node_path_.join(dir, entry.name));
        };
        if (external_node_fs_.lstatSync(file, { throwIfNoEntry: false })?.isDirectory())
            open(file);
        external_node_fs_.rmSync(file, { recursive: true, force: true });
    }
}
/** Scratch files and directories in use now: a cancelled step ends without its finally blocks. */
const scratch = new Set();
/**
 * Runs `work` with a scratch file or directory (a temporary archive, an unpacking directory) that
 * is removed afterwards, and also when the step is cancelled meanwhile.
 */
async function withScratch(file, work) {
    scratch.add(file);
    try {
        return await work();
    }
    finally {
        scratch.delete(file);
        removeAll(file);
    }
}
/** Removes the scratch files in use (see withScratch); what a cancelled step does last. */
function removeScratch() {
    for (const file of scratch)
        removeAll(file);
    scratch.clear();
}
/** How long a program's output may stay open after it exited (see run). */
const DRAIN_MS = 2000;
/** How long the children get to stop on the first signal before they are killed. */
const GRACE_MS = 3000;
/**
 * Stops every running child with everything it started when the runner cancels the step (SIGINT,
 * then SIGTERM): the signal first, as pip cleans up on it, then SIGKILL after a grace period, or
 * at once on a second signal. Then `stopped` says so, and the step ends.
 */
function onCancel(stopped) {
    const handle = async (signal) => {
        const children = [...running];
        if (cancelled) {
            for (const child of children)
                stopTree(child, 'SIGKILL');
            return;
        }
        cancelled = true;
        for (const child of children)
            stopTree(child, signal);
        const exited = children.map(c => new Promise(r => (c.exitCode !== null || c.signalCode !== null ? r(0) : c.once('exit', r))));
        await Promise.race([Promise.all(exited), new Promise(r => setTimeout(r, GRACE_MS))]);
        for (const child of children)
            stopTree(child, 'SIGKILL');
        removeScratch();
        stopped(signal);
        (0,report_log/* afterOutput */.mw)(() => process.exit(1));
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
}
/**
 * A file shipped beside the module that uses it: next to its .ts in src/, and beside index.js in
 * the bundle, where scripts/build.mjs copies the Python helpers (their names are unique for that).
 */
function shippedFile(moduleUrl, name) {
    return external_node_path_.join(external_node_path_.dirname((0,external_node_url_.fileURLToPath)(moduleUrl)), name);
}


/***/ }),

/***/ 5604:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  RG: () => (/* binding */ download),
  mR: () => (/* binding */ downloadText)
});

// UNUSED EXPORTS: STALL_SECONDS_VARIABLE, StalledError, authFor, downloadFailure, stallLimit

// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 3 modules
var lib = __nccwpck_require__(7693);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __nccwpck_require__(9805);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/platform/process.ts + 1 modules
var platform_process = __nccwpck_require__(8424);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: ./src/report/diagnostic.ts
var diagnostic = __nccwpck_require__(1751);
// EXTERNAL MODULE: ./src/report/secrets.ts
var secrets = __nccwpck_require__(7663);
;// CONCATENATED MODULE: ./src/python/download.ts
/**
 * Downloads of manifests and interpreter archives. The HTTP client is tool-cache's own
 * (@actions/http-client: the runner's proxy, redirects that drop the token on another host), with
 * what tool-cache's downloadTool lacks: a download that stalls ends, so a server that trickles a
 * byte every few seconds cannot hold the step until the job's time limit.
 */










const TITLE = { title: 'venv-guard: Python setup failed' };
/** The variable that shortens (tests) or lengthens (a slow mirror) the stall window. */
const STALL_SECONDS_VARIABLE = 'VENV_GUARD_DOWNLOAD_STALL_SECONDS';
const DEFAULT_STALL_SECONDS = 60;
const STALL_MIN_BYTES = 16 * 1024;
function stallLimit(env = process.env) {
    const seconds = Number(env[STALL_SECONDS_VARIABLE]);
    const windowSeconds = seconds > 0 ? seconds : DEFAULT_STALL_SECONDS;
    return { windowMs: windowSeconds * 1000, minBytes: STALL_MIN_BYTES };
}
class StalledError extends Error {
    limit;
    received;
    code = 'ESTALLED';
    constructor(limit, received) {
        super(`fewer than ${limit.minBytes / 1024} KiB arrived within ${limit.windowMs / 1000} s`);
        this.limit = limit;
        this.received = received;
    }
}
/**
 * The token raises GitHub's rate limit; it is sent to GitHub's own hosts only, never to a mirror.
 * Redirects to another host drop it (@actions/http-client).
 */
function authFor(url, token) {
    if (!token)
        return undefined;
    let host;
    try {
        const parsed = new URL(url);
        if (parsed.protocol !== 'https:')
            return undefined;
        host = parsed.hostname.toLowerCase();
    }
    catch {
        return undefined;
    }
    const github = ['github.com', 'githubusercontent.com'].some(domain => host === domain || host.endsWith(`.${domain}`));
    return github ? `token ${token}` : undefined;
}
/** Says why a download failed and what to do; `mirrorInput` is the input that names a mirror. */
function downloadFailure(what, url, error, mirrorInput = 'python-manifest-url') {
    const shown = (0,secrets/* redactUrlCredentials */.dE)(url);
    const head = `Downloading ${what} from ${shown} failed`;
    if (error instanceof StalledError) {
        return `${head}: it stalled, ${error.message} (${error.received} bytes in all). The server hangs or is too slow for this runner: set ${mirrorInput} to a mirror the runner reaches quickly, or run the job again.`;
    }
    if (error instanceof tool_cache/* HTTPError */.Hl) {
        const status = error.httpStatusCode;
        if (status === 401 || status === 403 || status === 429) {
            return `${head}: HTTP ${status}. GitHub refuses or rate-limits the request: pass a token with access (the token input, by default the job's GITHUB_TOKEN), or use ${mirrorInput} with a mirror.`;
        }
        if (status === 404) {
            return `${head}: HTTP 404, nothing is there. Check ${mirrorInput} and the download_url entries of the manifest.`;
        }
        return `${head} despite retries: HTTP ${status}.`;
    }
    const code = error?.code ?? '';
    if (code === 'ECONNRESET') {
        return `${head} despite retries: the connection broke off before the file was complete (${(0,diagnostic/* errorMessage */.gJ)(error)}).`;
    }
    const offline = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ENETUNREACH'].includes(code);
    return offline
        ? `${head} despite retries: the runner cannot reach ${new URL(url).host} (${code}). Without internet access, set ${mirrorInput} to a mirror of the manifest whose download_url entries the runner can reach, or install the Python on the runner (tool cache, pyenv, PATH).`
        : `${head} despite retries: ${(0,diagnostic/* errorMessage */.gJ)(error)}.`;
}
/** Counts what passes and ends the stream when a window brings less than the limit. */
function stallGuard(limit) {
    let received = 0;
    let atLastCheck = 0;
    const counter = new external_node_stream_.Transform({
        transform(chunk, _encoding, done) {
            received += chunk.length;
            done(null, chunk);
        }
    });
    const timer = setInterval(() => {
        if (received - atLastCheck < limit.minBytes) {
            counter.destroy(new StalledError(limit, received));
        }
        atLastCheck = received;
    }, limit.windowMs);
    return { counter, stop: () => clearInterval(timer) };
}
async function attempt(url, dest, auth, limit) {
    const client = new lib/* HttpClient */.Qq('venv-guard', [], {
        allowRetries: false,
        // Until the answer's headers arrive; the body has the stall guard.
        socketTimeout: limit.windowMs
    });
    try {
        const response = await client.get(url, auth ? { authorization: auth } : {});
        if (response.message.statusCode !== 200) {
            response.message.resume();
            throw new tool_cache/* HTTPError */.Hl(response.message.statusCode);
        }
        const guard = stallGuard(limit);
        try {
            await (0,promises_namespaceObject.pipeline)(response.message, guard.counter, external_node_fs_.createWriteStream(dest));
        }
        finally {
            guard.stop();
        }
    }
    catch (error) {
        external_node_fs_.rmSync(dest, { force: true });
        // http-client's socket timeout before the headers: the same stall, said the same way.
        if (error instanceof Error && error.message.startsWith('Request timeout')) {
            throw new StalledError(limit, 0);
        }
        throw error;
    }
    finally {
        client.dispose();
    }
}
/** As tool-cache decides: a stall, or an answer below 500 other than 408 and 429, is final. */
function retryable(error) {
    if (error instanceof StalledError)
        return false;
    if (error instanceof tool_cache/* HTTPError */.Hl) {
        const status = error.httpStatusCode ?? 0;
        return status >= 500 || status === 408 || status === 429;
    }
    return true;
}
const ATTEMPTS = 3;
/** A manifest's text: downloaded as `download` does, read, and the file removed. */
async function downloadText(what, url, token, mirrorInput) {
    const file = await download(what, url, token, mirrorInput);
    try {
        return external_node_fs_.readFileSync(file, 'utf8');
    }
    finally {
        external_node_fs_.rmSync(file, { force: true });
    }
}
/**
 * Downloads `url` into a new file in the runner's temporary directory and returns its path, with
 * tool-cache's retries (3 attempts, 10–20 s apart). Fails with one ActionError saying what to do.
 */
async function download(what, url, token, mirrorInput, limit = stallLimit()) {
    const dir = (0,platform_process/* scratchDir */.GA)();
    external_node_fs_.mkdirSync(dir, { recursive: true });
    const dest = external_node_path_.join(dir, external_node_crypto_.randomUUID());
    const auth = authFor(url, token);
    for (let n = 1;; n++) {
        try {
            await attempt(url, dest, auth, limit);
            return dest;
        }
        catch (error) {
            if (n >= ATTEMPTS || !retryable(error)) {
                throw new diagnostic/* ActionError */.lZ(downloadFailure(what, url, error, mirrorInput), TITLE);
            }
            await new Promise(resolve => setTimeout(resolve, 10_000 + Math.random() * 10_000));
        }
    }
}


/***/ }),

/***/ 1930:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.r(__webpack_exports__);
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_MANIFEST_URL: () => (/* binding */ DEFAULT_MANIFEST_URL),
/* harmony export */   cpythonSetup: () => (/* binding */ cpythonSetup),
/* harmony export */   installOffer: () => (/* binding */ installOffer),
/* harmony export */   noMatchMessage: () => (/* binding */ noMatchMessage),
/* harmony export */   offersFor: () => (/* binding */ offersFor),
/* harmony export */   parseManifest: () => (/* binding */ parseManifest),
/* harmony export */   resolveRelease: () => (/* binding */ resolveRelease),
/* harmony export */   toolCacheArchFor: () => (/* binding */ toolCacheArchFor)
/* harmony export */ });
/* harmony import */ var _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9805);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1751);
/* harmony import */ var _download_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(5604);
/* harmony import */ var _platform_os_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(1597);
/* harmony import */ var _platform_process_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(8424);
/* harmony import */ var _version_spec_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(3948);
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(6472);
/* harmony import */ var _releases_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(8138);
/**
 * Sets up CPython from the actions/python-versions manifest, the same builds and archive layout
 * actions/setup-python uses, so that both find each other's installations in the tool cache.
 * Loaded with a dynamic import only when the runner lacks a matching Python: a normal start does
 * not pay for the download code.
 */










const DEFAULT_MANIFEST_URL = 'https://raw.githubusercontent.com/actions/python-versions/main/versions-manifest.json';
const TITLE = { title: 'venv-guard: Python setup failed' };
const MIRROR_INPUT = 'python-manifest-url';
function parseManifest(text, url) {
    return (0,_releases_js__WEBPACK_IMPORTED_MODULE_9__/* .parseReleases */ .Y)(text, url, r => typeof r.version === 'string', 'a python-versions manifest: a JSON list of {version, files: [{filename, platform, arch, download_url}]}', TITLE);
}
/**
 * Every release with an archive for this runner, newest first. tool-cache decides what fits
 * (platform, arch, and platform_version against the OS release), as it does for setup-python.
 */
async function offersFor(manifest, arch) {
    const offers = [];
    for (const release of manifest) {
        const parsed = (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_7__/* .parseVersionString */ .PB)(release.version);
        if (!parsed)
            continue;
        const fit = await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .findFromManifest */ .DC(release.version, false, [release], arch);
        if (fit)
            offers.push({ version: release.version, parsed, file: fit.files[0] });
    }
    return offers.sort((a, b) => (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_7__/* .compareVersions */ .Zy)(b.parsed, a.parsed));
}
function toolCacheArchFor(spec, arch) {
    return spec.freeThreaded ? `${arch}-freethreaded` : arch;
}
/** Reads the manifest and picks the newest release that satisfies the spec. */
async function resolveRelease(spec, source, baseArch) {
    const url = source.url || DEFAULT_MANIFEST_URL;
    (0,_report_log_js__WEBPACK_IMPORTED_MODULE_8__/* .info */ .pq)(`Reading the Python manifest ${url}`);
    const text = await (0,_download_js__WEBPACK_IMPORTED_MODULE_4__/* .downloadText */ .mR)('the Python manifest', url, source.token, MIRROR_INPUT);
    const arch = toolCacheArchFor(spec, baseArch);
    const offers = await offersFor(parseManifest(text, url), arch);
    return { url, arch, offers, match: offers.find(o => (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_7__/* .versionMatches */ .gz)(spec, o.parsed)) };
}
/** The error text for a manifest without a match: what it does offer, and the way out. */
function noMatchMessage(spec, resolution) {
    const pre = spec.allowPrereleases
        ? undefined
        : resolution.offers.find(o => (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_7__/* .versionMatches */ .gz)({ ...spec, allowPrereleases: true }, o.parsed));
    return (0,_releases_js__WEBPACK_IMPORTED_MODULE_9__/* .noMatchText */ .C)(spec.text, resolution.url, `${process.platform} ${resolution.arch}`, resolution.offers.map(o => o.version), pre?.version);
}
/**
 * Downloads the offer's archive and runs its own setup script, which copies it into
 * `<toolCache>/Python/<version>/<arch>` and writes `<arch>.complete` last. Returns that directory.
 */
async function installOffer(offer, arch, toolCache, token) {
    const setup = (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_5__/* .archiveSetup */ .cy)();
    const archive = await (0,_download_js__WEBPACK_IMPORTED_MODULE_4__/* .download */ .RG)(`Python ${offer.version}`, offer.file.download_url, token, MIRROR_INPUT);
    let dir;
    try {
        dir = setup.archive === 'zip' ? await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .extractZip */ .JE(archive) : await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .extractTar */ .nN(archive);
    }
    catch (error) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`The archive ${offer.file.filename} from ${offer.file.download_url} cannot be unpacked (${(0,_report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}): the download is damaged or it is not a python-versions archive.`, TITLE);
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(archive, { force: true });
    }
    try {
        await (0,_report_log_js__WEBPACK_IMPORTED_MODULE_8__/* .group */ .Os)(`Install Python ${offer.version} into ${toolCache}`, async () => {
            const result = await (0,_platform_process_js__WEBPACK_IMPORTED_MODULE_6__/* .run */ .eF)(setup.command, setup.args, {
                cwd: dir,
                stream: true,
                env: {
                    ...(0,_platform_os_js__WEBPACK_IMPORTED_MODULE_5__/* .libraryPathEnv */ .WL)(dir, process.env.LD_LIBRARY_PATH),
                    RUNNER_TOOL_CACHE: toolCache,
                    // The script prefers AGENT_TOOLSDIRECTORY; unset, it installs where discovery looks.
                    AGENT_TOOLSDIRECTORY: undefined
                }
            });
            if (result.exitCode !== 0) {
                throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`The setup script of ${offer.file.filename} exited with ${result.exitCode}; its output is in the log group above.`, TITLE);
            }
        });
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(dir, { recursive: true, force: true });
    }
    const prefix = node_path__WEBPACK_IMPORTED_MODULE_2__.join(toolCache, 'Python', offer.version, arch);
    if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(`${prefix}.complete`)) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`The setup script of ${offer.file.filename} finished without marking ${prefix} complete (${arch}.complete is missing).`, TITLE);
    }
    return prefix;
}
/** The python-versions manifest as setUpFromManifest reads any manifest. */
async function cpythonSetup(spec, request, baseArch) {
    const resolution = await resolveRelease(spec, { url: request.pythonManifestUrl, token: request.token }, baseArch);
    const offer = resolution.match;
    return {
        url: resolution.url,
        noMatch: noMatchMessage(spec, resolution),
        match: offer && {
            version: offer.version,
            label: `Python ${offer.version}`,
            newerThan: local => (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_7__/* .compareVersions */ .Zy)(offer.parsed, local.version) > 0,
            install: async (toolCache, env) => {
                const prefix = await installOffer(offer, resolution.arch, toolCache, request.token);
                return {
                    command: (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_5__/* .prefixPython */ .Fx)(prefix),
                    args: [],
                    foundBy: `the python-versions manifest, installed into ${prefix}`,
                    env: (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_5__/* .libraryPathEnv */ .WL)(prefix, env.LD_LIBRARY_PATH),
                    location: prefix
                };
            }
        }
    };
}


/***/ }),

/***/ 9392:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.r(__webpack_exports__);
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_PYPY_MANIFEST_URL: () => (/* binding */ DEFAULT_PYPY_MANIFEST_URL),
/* harmony export */   parsePyPyManifest: () => (/* binding */ parsePyPyManifest),
/* harmony export */   pypyMatches: () => (/* binding */ pypyMatches),
/* harmony export */   pypyName: () => (/* binding */ pypyName),
/* harmony export */   pypyOffers: () => (/* binding */ pypyOffers),
/* harmony export */   pypySetup: () => (/* binding */ pypySetup)
/* harmony export */ });
/* harmony import */ var _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9805);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1751);
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6472);
/* harmony import */ var _report_secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7663);
/* harmony import */ var _platform_os_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(1597);
/* harmony import */ var _platform_process_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(8424);
/* harmony import */ var _download_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(5604);
/* harmony import */ var _releases_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(8138);
/* harmony import */ var _version_spec_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(3948);
/**
 * Sets PyPy up from PyPy's own versions manifest (versions.json), as actions/setup-python does, into
 * the same tool-cache layout (`PyPy/<Python version>/<arch>`, with the `PYPY_VERSION` file and the
 * `python`/`python3` links), so that both find each other's installations.
 */











const DEFAULT_PYPY_MANIFEST_URL = 'https://downloads.python.org/pypy/versions.json';
const MIRROR_INPUT = 'pypy-manifest-url';
const TITLE = { title: 'venv-guard: PyPy setup failed' };
/** setup-python's record of the exact PyPy version (pre-releases report only 7.3.3 for 7.3.3rc1). */
const PYPY_VERSION_FILE = 'PYPY_VERSION';
function parsePyPyManifest(text, url) {
    return (0,_releases_js__WEBPACK_IMPORTED_MODULE_9__/* .parseReleases */ .Y)(text, url, r => typeof r.pypy_version === 'string' && typeof r.python_version === 'string', 'a PyPy versions manifest: a JSON list of {pypy_version, python_version, files: [{filename, platform, arch, download_url}]}', TITLE);
}
/**
 * Every release with an archive for this runner, newest PyPy first and, among equal PyPys, newest
 * Python first, as setup-python orders them. Nightly builds name no version and are left out.
 */
function pypyOffers(releases, platform) {
    const offers = [];
    for (const release of releases) {
        const pypy = (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .parseVersionString */ .PB)(release.pypy_version);
        const python = (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .parseVersionString */ .PB)(release.python_version);
        const file = platform.platforms
            .map(name => release.files.find(f => f.platform === name && f.arch === platform.arch))
            .find(f => f !== undefined);
        if (!pypy || !python || !file)
            continue;
        const stable = release.stable !== false && pypy.releaseLevel === 'final';
        offers.push({
            pypyText: release.pypy_version.trim(),
            pythonText: release.python_version.trim(),
            pypy,
            python,
            stable,
            file
        });
    }
    return offers.sort((a, b) => (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .compareVersions */ .Zy)(b.pypy, a.pypy) || (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .compareVersions */ .Zy)(b.python, a.python));
}
/** `pypy3.10` asks for the Python version, `pypy3.10-v7.3.x` for PyPy's too. */
function pypyMatches(spec, offer) {
    if (!offer.stable && !spec.allowPrereleases)
        return false;
    const python = { ...offer.python, releaseLevel: 'final' };
    return (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .versionMatches */ .gz)(spec, python) && (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .pypyVersionMatches */ .Mn)(spec, offer.pypy);
}
/** How setup-python's python-version output names a PyPy: `pypy3.10.14-7.3.17`. */
function pypyName(offer) {
    return `pypy${offer.pythonText}-${offer.pypyText}`;
}
async function unpack(archive, offer) {
    try {
        return (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .pypyPlatform */ .ge)().archive === 'zip'
            ? await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .extractZip */ .JE(archive)
            : await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .extractTar */ .nN(archive, undefined, 'x'); // bzip2: tar finds out by itself
    }
    catch (error) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`The archive ${offer.file.filename} from ${(0,_report_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .redactUrlCredentials */ .dE)(offer.file.download_url)} cannot be unpacked (${(0,_report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}): the download is damaged or it is not a PyPy archive.`, TITLE);
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(archive, { force: true });
    }
}
/** Moves the archive's one top directory to `prefix`; a copy when they are on different disks. */
function place(unpacked, prefix) {
    const entries = node_fs__WEBPACK_IMPORTED_MODULE_1__.readdirSync(unpacked);
    const top = entries.length === 1 ? node_path__WEBPACK_IMPORTED_MODULE_2__.join(unpacked, entries[0]) : unpacked;
    // A directory without its .complete mark is a cut-short install: replaced, as setup-python does.
    node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(prefix, { recursive: true, force: true });
    node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(prefix), { recursive: true });
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync(top, prefix);
    }
    catch {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.cpSync(top, prefix, { recursive: true, verbatimSymlinks: true });
    }
}
/** `python`, `python3` and `pypy3.X` beside `pypy3`, where the archive has none. */
function linkAliases(prefix, python) {
    const bin = (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .prefixBinDir */ .bV)(prefix);
    const { target, links } = (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .pypyAliases */ .pP)(`${python.major}.${python.minor}`);
    for (const link of links) {
        const file = node_path__WEBPACK_IMPORTED_MODULE_2__.join(bin, link);
        if (node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(file))
            continue;
        try {
            node_fs__WEBPACK_IMPORTED_MODULE_1__.symlinkSync(target, file);
        }
        catch {
            // Windows without the right to make links: PyPy's zips ship python.exe themselves.
        }
    }
}
/** pip for the installation itself, from PyPy's own ensurepip (offline), as setup-python has it. */
async function ensurePip(interpreter, prefix) {
    const result = await (0,_report_log_js__WEBPACK_IMPORTED_MODULE_4__/* .group */ .Os)(`Install pip into ${prefix}`, () => (0,_platform_process_js__WEBPACK_IMPORTED_MODULE_7__/* .run */ .eF)(interpreter, ['-I', '-m', 'ensurepip'], {
        cwd: prefix,
        stream: true,
        env: { PIP_TARGET: undefined, PIP_PREFIX: undefined, PIP_ROOT: undefined, PIP_USER: '0' }
    }));
    if (result.exitCode !== 0) {
        (0,_report_log_js__WEBPACK_IMPORTED_MODULE_4__/* .warn */ .R8)(`ensurepip of ${interpreter} exited with ${result.exitCode} (its output is in the log group above), so this PyPy has no pip of its own: the venv still gets pip, but a later step that runs this PyPy's pip outside the venv will not find it.`, TITLE);
    }
}
/** Installs the offer into `<toolCache>/PyPy/<Python version>/<arch>`, marked complete last. */
async function installPyPy(offer, toolCache, token) {
    const prefix = node_path__WEBPACK_IMPORTED_MODULE_2__.join(toolCache, 'PyPy', offer.pythonText, (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .toolCacheArch */ .Tm)());
    if (node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(`${prefix}.complete`)) {
        let there = 'another PyPy';
        try {
            there = `PyPy ${node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(prefix, PYPY_VERSION_FILE), 'utf8').trim()}`;
        }
        catch {
            // no record of its version
        }
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`PyPy ${offer.pypyText} would go to ${prefix}, which holds ${there} for Python ${offer.pythonText} already, and venv-guard replaces no installation it did not make in this step. Remove ${prefix} and ${prefix}.complete in an earlier step, or ask for the PyPy that is there.`, TITLE);
    }
    const archive = await (0,_download_js__WEBPACK_IMPORTED_MODULE_8__/* .download */ .RG)(`PyPy ${offer.pypyText}`, offer.file.download_url, token, MIRROR_INPUT);
    const unpacked = await unpack(archive, offer);
    try {
        place(unpacked, prefix);
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync(unpacked, { recursive: true, force: true });
    }
    node_fs__WEBPACK_IMPORTED_MODULE_1__.writeFileSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(prefix, PYPY_VERSION_FILE), offer.pypyText);
    linkAliases(prefix, offer.python);
    const interpreter = (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .toolCachePythons */ .ck)(prefix, 'pypy').find(file => node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(file));
    if (!interpreter) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ(`${offer.file.filename} has no ${(0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .toolCachePythons */ .ck)(prefix, 'pypy').join(' or ')}: it is not a PyPy archive.`, TITLE);
    }
    await ensurePip(interpreter, prefix);
    node_fs__WEBPACK_IMPORTED_MODULE_1__.writeFileSync(`${prefix}.complete`, '');
    return { prefix, interpreter };
}
/** PyPy's versions manifest as setUpFromManifest reads any manifest. */
async function pypySetup(spec, request) {
    const url = request.pypyManifestUrl || DEFAULT_PYPY_MANIFEST_URL;
    (0,_report_log_js__WEBPACK_IMPORTED_MODULE_4__/* .info */ .pq)(`Reading the PyPy manifest ${url}`);
    const text = await (0,_download_js__WEBPACK_IMPORTED_MODULE_8__/* .downloadText */ .mR)('the PyPy manifest', url, request.token, MIRROR_INPUT);
    const platform = (0,_platform_os_js__WEBPACK_IMPORTED_MODULE_6__/* .pypyPlatform */ .ge)();
    const offers = pypyOffers(parsePyPyManifest(text, url), platform);
    const offer = offers.find(o => pypyMatches(spec, o));
    const pre = offers.find(o => pypyMatches({ ...spec, allowPrereleases: true }, o));
    return {
        url,
        noMatch: (0,_releases_js__WEBPACK_IMPORTED_MODULE_9__/* .noMatchText */ .C)(spec.text, url, `${process.platform} ${platform.arch}`, offers.map(pypyName), pre && pypyName(pre)),
        match: offer && {
            version: pypyName(offer),
            label: `PyPy ${offer.pypyText} (Python ${offer.pythonText})`,
            newerThan: local => ((0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .compareVersions */ .Zy)(offer.pypy, local.implementationVersion) ||
                (0,_version_spec_js__WEBPACK_IMPORTED_MODULE_10__/* .compareVersions */ .Zy)(offer.python, local.version)) > 0,
            install: async (toolCache) => {
                const { prefix, interpreter } = await installPyPy(offer, toolCache, request.token);
                return {
                    command: interpreter,
                    args: [],
                    foundBy: `PyPy's versions manifest, installed into ${prefix}`,
                    location: prefix
                };
            }
        }
    };
}


/***/ }),

/***/ 8138:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ noMatchText),
/* harmony export */   Y: () => (/* binding */ parseReleases)
/* harmony export */ });
/* harmony import */ var _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1751);
/* harmony import */ var _report_secrets_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7663);


/**
 * A manifest's text as its releases, each checked by `isRelease` (`shape` says what is expected),
 * the passwords and signatures of its links masked before anything could print them.
 */
function parseReleases(text, url, isRelease, shape, title) {
    let doc;
    try {
        doc = JSON.parse(text);
    }
    catch (error) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`${url} is not JSON (${(0,_report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)}).`, title);
    }
    const isFile = (f) => typeof f?.filename === 'string' &&
        typeof f.platform === 'string' &&
        typeof f.arch === 'string' &&
        typeof f.download_url === 'string';
    const valid = (r) => typeof r === 'object' &&
        r !== null &&
        Array.isArray(r.files) &&
        r.files.every(isFile) &&
        isRelease(r);
    if (!Array.isArray(doc) || !doc.every(valid)) {
        throw new _report_diagnostic_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`${url} is not ${shape}.`, title);
    }
    for (const release of doc)
        for (const file of release.files)
            (0,_report_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .maskUrlCredentials */ .gn)(file.download_url);
    return doc;
}
/**
 * The error text for a manifest without a match: what it does offer for this runner (`where`),
 * newest first, and the pre-release that allow-prereleases would take.
 */
function noMatchText(specText, url, where, offered, preRelease) {
    const shown = offered.slice(0, 20);
    const more = offered.length - shown.length;
    const offers = shown.length === 0
        ? `It offers nothing for ${where}.`
        : `It offers for ${where}: ${shown.join(', ')}${more > 0 ? ` and ${more} older` : ''}.`;
    const hint = preRelease
        ? ` ${preRelease} is a pre-release: set allow-prereleases: true to take it.`
        : '';
    return `The manifest ${url} has no release matching "${specText}". ${offers}${hint}`;
}


/***/ }),

/***/ 3948:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Gq: () => (/* binding */ onlyBefore),
/* harmony export */   Mn: () => (/* binding */ pypyVersionMatches),
/* harmony export */   PB: () => (/* binding */ parseVersionString),
/* harmony export */   TN: () => (/* binding */ minorsNamedBy),
/* harmony export */   ZD: () => (/* binding */ parseVersionSpec),
/* harmony export */   ZZ: () => (/* binding */ compareParts),
/* harmony export */   Zy: () => (/* binding */ compareVersions),
/* harmony export */   gz: () => (/* binding */ versionMatches),
/* harmony export */   qh: () => (/* binding */ formatVersion),
/* harmony export */   ql: () => (/* binding */ VersionSpecError)
/* harmony export */ });
/**
 * Python version specs as users write them (`3.12`, `3.11.7`, `3.x`, `>=3.10,<3.13`, `~=3.10`,
 * `3.13t`, `pypy3.10`, `pypy3.10-7.3.12`, `3.14-dev`, `3.14.0b1`) and matching against the versions
 * interpreters report. Pure: no process calls, so every form is unit-tested.
 */
class VersionSpecError extends Error {
}
// `a`/`b`/`rc` as Python spells pre-releases, `alpha`/`beta` as the python-versions manifest does.
const PRE = String.raw `-?(a|b|rc|alpha|beta)\.?(\d+)`;
const CLAUSE = new RegExp(String.raw `^(==|!=|>=|<=|~=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})(?:(\.[x*])|${PRE})?$`);
const LEVELS = {
    a: 'alpha',
    alpha: 'alpha',
    b: 'beta',
    beta: 'beta',
    rc: 'candidate'
};
function parseClauses(raw, text) {
    const pieces = text
        .split(/\s*,\s*|\s+(?=[<>=!~])/)
        .map(p => p.trim())
        .filter(p => p !== '');
    if (pieces.length === 0)
        throw new VersionSpecError(`"${raw}" is not a Python version spec`);
    return pieces.map(piece => {
        if (piece === 'x' || piece === '*')
            return { op: '', parts: [], wildcard: true };
        const m = CLAUSE.exec(piece);
        if (!m)
            throw new VersionSpecError(`"${raw}" is not a Python version spec`);
        const op = (m[1] === '=' ? '==' : (m[1] ?? ''));
        const clause = { op, parts: m[2].split('.').map(Number), wildcard: m[3] !== undefined };
        if (m[4])
            clause.pre = { releaseLevel: LEVELS[m[4]], serial: Number(m[5]) };
        return clause;
    });
}
function parseVersionSpec(raw, allowPrereleases = false) {
    const text = raw.trim();
    let rest = text.toLowerCase();
    let implementation = 'cpython';
    let freeThreaded = false;
    let dev = false;
    let pypyClauses = [];
    const pypy = /^pypy-?/.exec(rest);
    if (pypy) {
        implementation = 'pypy';
        rest = rest.slice(pypy[0].length);
        // pyenv's `pypy3.10-7.3.12` and setup-python's `pypy-3.10-v7.3.x` name PyPy's own version last.
        const own = /^([^-]+)-(v?\d[\w.*]*)$/.exec(rest);
        if (own) {
            rest = own[1];
            pypyClauses = parseClauses(raw, own[2]);
        }
    }
    if (rest.endsWith('-dev')) {
        dev = true;
        rest = rest.slice(0, -'-dev'.length);
    }
    if (/^\d+(\.\d+)*t$/.test(rest)) {
        freeThreaded = true;
        rest = rest.slice(0, -1);
    }
    const clauses = parseClauses(raw, rest);
    const namesPre = [...clauses, ...pypyClauses].some(c => c.pre !== undefined);
    return {
        text,
        implementation,
        freeThreaded,
        allowPrereleases: allowPrereleases || dev || namesPre,
        clauses,
        pypyClauses
    };
}
/** Orders dotted release numbers; a missing part is 0 (3.12 == 3.12.0). */
function compareParts(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0)
            return d;
    }
    return 0;
}
const LEVEL_ORDER = { alpha: 0, beta: 1, candidate: 2, final: 3 };
/** Orders versions; a pre-release sorts before its final release. */
function compareVersions(a, b) {
    return (compareParts([a.major, a.minor, a.micro], [b.major, b.minor, b.micro]) ||
        (LEVEL_ORDER[a.releaseLevel] ?? 3) - (LEVEL_ORDER[b.releaseLevel] ?? 3) ||
        a.serial - b.serial);
}
function startsWith(version, prefix) {
    return prefix.every((p, i) => version[i] === p);
}
function clauseMatches(c, version) {
    const v = [version.major, version.minor, version.micro];
    // Without a named pre-release, `3.13.0rc1` counts as 3.13.0, so `>=3.13` admits it when
    // pre-releases are allowed at all (what `3.13` with allow-prereleases asks for).
    const cmp = c.pre
        ? compareVersions(version, {
            major: c.parts[0],
            minor: c.parts[1] ?? 0,
            micro: c.parts[2] ?? 0,
            ...c.pre
        })
        : compareParts(v, c.parts);
    // A bare version names a series: `3.12` means any 3.12.x, `3.11.7` exactly that one.
    const equal = !c.pre && (c.wildcard || c.op === '') ? startsWith(v, c.parts) : cmp === 0;
    switch (c.op) {
        case '':
        case '==':
            return equal;
        case '!=':
            return !equal;
        case '>=':
            return cmp >= 0;
        case '<=':
            return cmp <= 0;
        case '>':
            return cmp > 0;
        case '<':
            return cmp < 0;
        case '~=':
            return cmp >= 0 && startsWith(v, c.parts.slice(0, -1));
    }
}
function versionMatches(spec, version) {
    if (version.releaseLevel !== 'final' && !spec.allowPrereleases)
        return false;
    return spec.clauses.every(c => clauseMatches(c, version));
}
/** Whether PyPy's own version (`sys.implementation.version`) satisfies `pypy3.10-7.3.12`. */
function pypyVersionMatches(spec, pypyVersion) {
    return spec.pypyClauses.every(c => clauseMatches(c, pypyVersion));
}
function formatVersion(v) {
    const base = `${v.major}.${v.minor}.${v.micro}`;
    const suffix = { alpha: 'a', beta: 'b', candidate: 'rc' };
    return v.releaseLevel in suffix ? `${base}${suffix[v.releaseLevel]}${v.serial}` : base;
}
const VERSION_STRING = new RegExp(String.raw `^(\d+)\.(\d+)(?:\.(\d+))?(?:${PRE})?$`);
/**
 * Parses a version as Python spells it (`3.12.1`, `3.13.0rc2`, `3.14.0a1`: pyenv directories) or as
 * the python-versions manifest and the tool cache do (`3.13.0-rc.2`, `3.14.0-alpha.1`).
 */
function parseVersionString(text) {
    const m = VERSION_STRING.exec(text.trim());
    if (!m)
        return undefined;
    return {
        major: Number(m[1]),
        minor: Number(m[2]),
        micro: Number(m[3] ?? 0),
        releaseLevel: m[4] ? LEVELS[m[4]] : 'final',
        serial: Number(m[5] ?? 0)
    };
}
/** `3.12` and `3.11` from a spec's clauses: the `python3.X` names worth looking for on PATH. */
function minorsNamedBy(spec) {
    return spec.clauses
        .filter(c => (c.op === '' || c.op === '==') && c.parts.length >= 2)
        .map(c => `${c.parts[0]}.${c.parts[1]}`);
}
/**
 * Whether every version the spec admits is older than `major`.0: one clause bounds it from above
 * (`2.5`, `2.x`, `~=2.7`, `<3`, `<=2.7.18`, `==2.7.*`). Pure reasoning on the spec, no list needed.
 */
function onlyBefore(spec, major) {
    return spec.clauses.some(c => {
        if (c.parts.length === 0)
            return false;
        if (c.op === '' || c.op === '==' || c.op === '~=')
            return c.parts[0] < major;
        if (c.op === '<')
            return compareParts(c.parts, [major]) <= 0;
        if (c.op === '<=')
            return compareParts(c.parts, [major]) < 0;
        return false;
    });
}


/***/ }),

/***/ 1751:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Xu: () => (/* binding */ inputError),
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   lZ: () => (/* binding */ ActionError)
/* harmony export */ });
/**
 * A failure the user can act on, thrown: its diagnostic is the whole annotation, what went wrong
 * and how to fix it. The main step tells it once, never with a stack trace.
 */
class ActionError extends Error {
    diagnostic;
    /** Told already, where it arose (annotations/emit.ts orders it among others): not told again. */
    told = false;
    constructor(message, where = {}) {
        super(message);
        this.name = 'ActionError';
        this.diagnostic = { severity: 'error', message, ...where };
    }
}
/** A wrong input value: names the input, the value and the fix. */
function inputError(input, value, fix) {
    return new ActionError(`Input '${input}' has the value "${value}": ${fix}`, {
        title: `venv-guard: invalid input '${input}'`
    });
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}


/***/ }),

/***/ 6472:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Jy: () => (/* binding */ showOutput),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   Qb: () => (/* binding */ UntrustedOutput),
/* harmony export */   R8: () => (/* binding */ warn),
/* harmony export */   d1: () => (/* binding */ toldSoFar),
/* harmony export */   me: () => (/* binding */ notify),
/* harmony export */   mw: () => (/* binding */ afterOutput),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   qz: () => (/* binding */ tell)
/* harmony export */ });
/* unused harmony exports neutralise, ANNOTATION_CAP, forgetTold, pauseUntrustedOutput */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3838);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7663);



/**
 * Everything venv-guard prints goes through here (eslint keeps @actions/core's logging functions
 * to this module), so that no text from an input, a repository or pip becomes a workflow command.
 * The runner reads a line as a command when it starts with `::` once leading white space is
 * trimmed, or holds the legacy `##[` anywhere, and it breaks lines at `\n` and at a lone `\r`.
 * @actions/core escapes line breaks in the text of annotations and groups, so one of those is one
 * command; a plain line is defused here, and another program's output is fenced with
 * `::stop-commands::`.
 */
const LINE_BREAKS = /(\r\n|\r|\n)/;
// .NET's TrimStart also trims U+0085, which \s does not cover.
const COMMAND_START = /^([\s\u0085]*:)(?=:)/;
const LEGACY_COMMAND = /##\[/g;
const ZERO_WIDTH_SPACE = '\u200b';
/** The text as it reads, with an invisible break in every place the runner would take for a command. */
function neutralise(text) {
    return text
        .split(LINE_BREAKS)
        .map((part, i) => i % 2 === 1
        ? part
        : part
            .replace(COMMAND_START, `$1${ZERO_WIDTH_SPACE}`)
            .replace(LEGACY_COMMAND, `##${ZERO_WIDTH_SPACE}[`))
        .join('');
}
function info(text) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.info(neutralise(text));
}
/** GitHub shows at most this many annotations of one type per step; the rest reach the summary. */
const ANNOTATION_CAP = 10;
/** What this step told, in order: the job summary lists it (action/summary.ts). */
const told = [];
const shownCount = { error: 0, warning: 0, notice: 0 };
/**
 * The one way to tell the user something: a diagnostic becomes an annotation (while GitHub's cap
 * of annotations of its type lasts), with credentials masked, and is kept for the job summary,
 * which lists everything told. A fence still open (a concurrent task, or a cancelled step that ends
 * before its child does) would swallow the annotation: it is paused first.
 */
function tell(diagnostic) {
    const masked = { ...diagnostic, message: (0,_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .maskUrlCredentials */ .gn)(diagnostic.message) };
    const shown = shownCount[masked.severity] < ANNOTATION_CAP;
    told.push({ ...masked, shown });
    if (!shown)
        return;
    shownCount[masked.severity]++;
    const properties = {
        ...(masked.title === undefined ? {} : { title: masked.title }),
        ...(masked.file === undefined ? {} : { file: masked.file, startLine: masked.line })
    };
    pauseUntrustedOutput();
    if (Object.keys(properties).length === 0)
        _actions_core__WEBPACK_IMPORTED_MODULE_0__[masked.severity](masked.message);
    else
        _actions_core__WEBPACK_IMPORTED_MODULE_0__[masked.severity](masked.message, properties);
}
/** Everything told so far, for the job summary. */
function toldSoFar() {
    return told;
}
/** Forgets what was told: for tests, which run many steps in one process. */
function forgetTold() {
    told.length = 0;
    for (const severity of ['error', 'warning', 'notice'])
        shownCount[severity] = 0;
}
/** A warning, told (above). */
function warn(message, where = {}) {
    tell({ severity: 'warning', message, ...where });
}
/** A notice, told (above). */
function notify(message, where = {}) {
    tell({ severity: 'notice', message, ...where });
}
function group(title, work) {
    pauseUntrustedOutput();
    return _actions_core__WEBPACK_IMPORTED_MODULE_0__.group(title, work);
}
/** Another program's output, captured while something else wrote to the log, shown in a group. */
function showOutput(title, text) {
    return group(title, async () => {
        const out = new UntrustedOutput();
        out.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
        out.end();
    });
}
/** Calls `then` once everything written so far has reached stdout (before the process exits). */
function afterOutput(then) {
    process.stdout.write('', then);
}
const fenced = new Set();
/** Pauses every fence still open, so that what is printed next is read as commands again. */
function pauseUntrustedOutput() {
    for (const output of [...fenced])
        output.pause();
}
/**
 * Another program's output, written as it comes with the runner's command processing stopped.
 * An annotation printed meanwhile pauses the fence; the program's next output opens a new one
 * (a new token: the old one has been seen).
 */
class UntrustedOutput {
    out;
    token = '';
    endsLine = true;
    ended = false;
    constructor(out = process.stdout) {
        this.out = out;
        this.open();
    }
    open() {
        this.token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomUUID)();
        this.out.write(`::stop-commands::${this.token}\n`);
        fenced.add(this);
    }
    write(data) {
        if (data.length === 0 || this.ended)
            return;
        if (!fenced.has(this))
            this.open();
        this.out.write(data);
        this.endsLine = data.toString().endsWith('\n');
    }
    /** Resumes command processing: the token is seen only at the start of a line. */
    pause() {
        if (!fenced.delete(this))
            return;
        this.out.write(`${this.endsLine ? '' : '\n'}::${this.token}::\n`);
        this.endsLine = true;
    }
    /** The program is done: its fence is closed for good. */
    end() {
        this.pause();
        this.ended = true;
    }
}


/***/ }),

/***/ 7663:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   dE: () => (/* binding */ redactUrlCredentials),
/* harmony export */   gn: () => (/* binding */ maskUrlCredentials),
/* harmony export */   lt: () => (/* binding */ maskPipEnvironment)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3838);

/** A URL's scheme and its netloc: everything up to the first `/`, `?` or `#`, as urlsplit cuts it. */
const URL_NETLOC = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)/gi;
/** An unset `${VAR}` pip left in a URL: a placeholder, not a secret. */
const PLACEHOLDER = /^\$\{[A-Z0-9_]+\}$/;
/**
 * Query parameters that carry a credential or a signature (pre-signed S3 and GCS links, Azure SAS,
 * OAuth tokens): whoever reads the URL can download with it until it expires.
 */
const SECRET_QUERY = /([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|signature|sig|token|access_token)=)([^&#\s'"<>]+)/gi;
/** Secrets already registered: a lock file repeats one index token in each of 10,000 entries. */
const registered = new Set();
function registerOnce(secret) {
    if (registered.has(secret))
        return;
    registered.add(secret);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__.setSecret(secret);
}
/** Both the form written and the one pip sends (pip percent-decodes the user and password). */
function registerSecret(secret) {
    registerOnce(secret);
    try {
        registerOnce(decodeURIComponent(secret));
    }
    catch {
        // not valid percent-encoding: pip sends it as written
    }
}
/**
 * The user information is split as urllib and pip split it: up to the last `@` of the netloc, then
 * at the first `:` (`https://me@corp.example:TOKEN@host`, `https://:TOKEN@host`).
 */
function replaceCredentials(text, register) {
    const withoutSignatures = text.replace(SECRET_QUERY, (match, name, value) => {
        if (PLACEHOLDER.test(value))
            return match;
        register(value);
        return `${name}***`;
    });
    return withoutSignatures.replace(URL_NETLOC, (match, scheme, netloc) => {
        const at = netloc.lastIndexOf('@');
        if (at === -1)
            return match;
        const userinfo = netloc.slice(0, at);
        const host = netloc.slice(at);
        const colon = userinfo.indexOf(':');
        const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
        const password = colon === -1 ? '' : userinfo.slice(colon + 1);
        if (password) {
            if (PLACEHOLDER.test(password))
                return match;
            register(password);
            return `${scheme}${user}:***${host}`;
        }
        // Over HTTP a user name alone is a token (`git+https://TOKEN@host`); over SSH it is a login.
        if (!/^((git|hg|svn|bzr)\+)?https?:\/\/$/i.test(scheme) || user === 'git' || user === '') {
            return match;
        }
        if (PLACEHOLDER.test(user))
            return match;
        register(user);
        return `${scheme}***${host}`;
    });
}
/**
 * Finds credentials inside URLs (`https://user:token@host/simple`), registers them with the runner
 * so that every later log line masks them, and returns the text with them replaced by `***`.
 * A token passed as the user name alone (`https://TOKEN@host`, `hg+https://TOKEN@host`) counts too;
 * `ssh://git@host` does not, nor does an unset `${VAR}` left as written. So do signature and token
 * query parameters (`?X-Amz-Signature=…`). Each secret is registered once.
 */
function maskUrlCredentials(text) {
    return replaceCredentials(text, registerSecret);
}
/** The text with credentials in URLs replaced by `***`, registering nothing (for pure code). */
function redactUrlCredentials(text) {
    return replaceCredentials(text, () => { });
}
/**
 * pip's variables that can hold index or find-links URLs (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL,
 * PIP_FIND_LINKS, and any other PIP_* a user sets): their credentials are masked before anything runs.
 */
function maskPipEnvironment(env) {
    for (const [key, value] of Object.entries(env)) {
        if (key.toUpperCase().startsWith('PIP_') && value)
            maskUrlCredentials(value);
    }
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 3838:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

// ESM COMPAT FLAG
__nccwpck_require__.r(__webpack_exports__);

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ExitCode: () => (/* binding */ ExitCode),
  addPath: () => (/* binding */ addPath),
  debug: () => (/* binding */ debug),
  endGroup: () => (/* binding */ endGroup),
  error: () => (/* binding */ error),
  exportVariable: () => (/* binding */ exportVariable),
  getBooleanInput: () => (/* binding */ getBooleanInput),
  getIDToken: () => (/* binding */ getIDToken),
  getInput: () => (/* binding */ getInput),
  getMultilineInput: () => (/* binding */ getMultilineInput),
  getState: () => (/* binding */ getState),
  group: () => (/* binding */ group),
  info: () => (/* binding */ info),
  isDebug: () => (/* binding */ isDebug),
  markdownSummary: () => (/* reexport */ markdownSummary),
  notice: () => (/* binding */ notice),
  platform: () => (/* reexport */ platform_namespaceObject),
  saveState: () => (/* binding */ saveState),
  setCommandEcho: () => (/* binding */ setCommandEcho),
  setFailed: () => (/* binding */ setFailed),
  setOutput: () => (/* binding */ setOutput),
  setSecret: () => (/* binding */ setSecret),
  startGroup: () => (/* binding */ startGroup),
  summary: () => (/* reexport */ summary),
  toPlatformPath: () => (/* reexport */ toPlatformPath),
  toPosixPath: () => (/* reexport */ toPosixPath),
  toWin32Path: () => (/* reexport */ toWin32Path),
  warning: () => (/* binding */ warning)
});

// NAMESPACE OBJECT: ./node_modules/@actions/core/lib/platform.js
var platform_namespaceObject = {};
__nccwpck_require__.r(platform_namespaceObject);
__nccwpck_require__.d(platform_namespaceObject, {
  arch: () => (arch),
  getDetails: () => (getDetails),
  isLinux: () => (isLinux),
  isMacOS: () => (isMacOS),
  isWindows: () => (isWindows),
  platform: () => (platform)
});

// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_.EOL);
}
function issue(name, message = '') {
    issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
// EXTERNAL MODULE: external "crypto"
var external_crypto_ = __nccwpck_require__(6982);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_.appendFileSync(filePath, `${toCommandValue(message)}${external_os_.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_.randomUUID()}`;
    const convertedValue = toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_.EOL}${convertedValue}${external_os_.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 3 modules
var lib = __nccwpck_require__(7693);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/auth.js
var auth = __nccwpck_require__(2145);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new lib/* HttpClient */.Qq('actions/oidc-client', [new auth/* BearerCredentialHandler */.tZ(OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return __awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return __awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_.constants.R_OK | external_fs_.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = _summary;
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, external_path_.sep);
}
//# sourceMappingURL=path-utils.js.map
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 3 modules
var exec = __nccwpck_require__(5781);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield exec/* getExecOutput */.H('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield exec/* getExecOutput */.H('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield exec/* getExecOutput */.H('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield exec/* getExecOutput */.H('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_.platform();
const arch = external_os_.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function setSecret(secret) {
    issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${external_path_.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_.EOL);
    issueCommand('set-output', { name }, toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function debug(message) {
    issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map

/***/ }),

/***/ 5781:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  m: () => (/* binding */ exec),
  H: () => (/* binding */ getExecOutput)
});

;// CONCATENATED MODULE: external "string_decoder"
const external_string_decoder_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
// EXTERNAL MODULE: external "child_process"
var external_child_process_ = __nccwpck_require__(5317);
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: ./node_modules/@actions/io/lib/io.js
var io = __nccwpck_require__(8701);
// EXTERNAL MODULE: ./node_modules/@actions/io/lib/io-util.js
var io_util = __nccwpck_require__(90);
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_.EOL.length);
                n = s.indexOf(external_os_.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return __awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!io_util/* isRooted */.Qh(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield io/* which */.K7(this.toolPath, true);
            return new Promise((resolve, reject) => __awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield io_util/* exists */.t2(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new external_string_decoder_namespaceObject.StringDecoder('utf8');
        const stderrDecoder = new external_string_decoder_namespaceObject.StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map

/***/ }),

/***/ 2377:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  v: () => (/* binding */ create)
});

// UNUSED EXPORTS: hashFiles

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var lib_core = __nccwpck_require__(3838);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-glob-options-helper.js

/**
 * Returns a copy with defaults filled in.
 */
function getOptions(copy) {
    const result = {
        followSymbolicLinks: true,
        implicitDescendants: true,
        matchDirectories: true,
        omitBrokenSymbolicLinks: true,
        excludeHiddenFiles: false
    };
    if (copy) {
        if (typeof copy.followSymbolicLinks === 'boolean') {
            result.followSymbolicLinks = copy.followSymbolicLinks;
            lib_core.debug(`followSymbolicLinks '${result.followSymbolicLinks}'`);
        }
        if (typeof copy.implicitDescendants === 'boolean') {
            result.implicitDescendants = copy.implicitDescendants;
            lib_core.debug(`implicitDescendants '${result.implicitDescendants}'`);
        }
        if (typeof copy.matchDirectories === 'boolean') {
            result.matchDirectories = copy.matchDirectories;
            lib_core.debug(`matchDirectories '${result.matchDirectories}'`);
        }
        if (typeof copy.omitBrokenSymbolicLinks === 'boolean') {
            result.omitBrokenSymbolicLinks = copy.omitBrokenSymbolicLinks;
            lib_core.debug(`omitBrokenSymbolicLinks '${result.omitBrokenSymbolicLinks}'`);
        }
        if (typeof copy.excludeHiddenFiles === 'boolean') {
            result.excludeHiddenFiles = copy.excludeHiddenFiles;
            lib_core.debug(`excludeHiddenFiles '${result.excludeHiddenFiles}'`);
        }
    }
    return result;
}
//# sourceMappingURL=internal-glob-options-helper.js.map
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-path-helper.js


const IS_WINDOWS = process.platform === 'win32';
/**
 * Similar to path.dirname except normalizes the path separators and slightly better handling for Windows UNC paths.
 *
 * For example, on Linux/macOS:
 * - `/               => /`
 * - `/hello          => /`
 *
 * For example, on Windows:
 * - `C:\             => C:\`
 * - `C:\hello        => C:\`
 * - `C:              => C:`
 * - `C:hello         => C:`
 * - `\               => \`
 * - `\hello          => \`
 * - `\\hello         => \\hello`
 * - `\\hello\world   => \\hello\world`
 */
function dirname(p) {
    // Normalize slashes and trim unnecessary trailing slash
    p = safeTrimTrailingSeparator(p);
    // Windows UNC root, e.g. \\hello or \\hello\world
    if (IS_WINDOWS && /^\\\\[^\\]+(\\[^\\]+)?$/.test(p)) {
        return p;
    }
    // Get dirname
    let result = external_path_.dirname(p);
    // Trim trailing slash for Windows UNC root, e.g. \\hello\world\
    if (IS_WINDOWS && /^\\\\[^\\]+\\[^\\]+\\$/.test(result)) {
        result = safeTrimTrailingSeparator(result);
    }
    return result;
}
/**
 * Roots the path if not already rooted. On Windows, relative roots like `\`
 * or `C:` are expanded based on the current working directory.
 */
function ensureAbsoluteRoot(root, itemPath) {
    external_assert_(root, `ensureAbsoluteRoot parameter 'root' must not be empty`);
    external_assert_(itemPath, `ensureAbsoluteRoot parameter 'itemPath' must not be empty`);
    // Already rooted
    if (hasAbsoluteRoot(itemPath)) {
        return itemPath;
    }
    // Windows
    if (IS_WINDOWS) {
        // Check for itemPath like C: or C:foo
        if (itemPath.match(/^[A-Z]:[^\\/]|^[A-Z]:$/i)) {
            let cwd = process.cwd();
            external_assert_(cwd.match(/^[A-Z]:\\/i), `Expected current directory to start with an absolute drive root. Actual '${cwd}'`);
            // Drive letter matches cwd? Expand to cwd
            if (itemPath[0].toUpperCase() === cwd[0].toUpperCase()) {
                // Drive only, e.g. C:
                if (itemPath.length === 2) {
                    // Preserve specified drive letter case (upper or lower)
                    return `${itemPath[0]}:\\${cwd.substr(3)}`;
                }
                // Drive + path, e.g. C:foo
                else {
                    if (!cwd.endsWith('\\')) {
                        cwd += '\\';
                    }
                    // Preserve specified drive letter case (upper or lower)
                    return `${itemPath[0]}:\\${cwd.substr(3)}${itemPath.substr(2)}`;
                }
            }
            // Different drive
            else {
                return `${itemPath[0]}:\\${itemPath.substr(2)}`;
            }
        }
        // Check for itemPath like \ or \foo
        else if (normalizeSeparators(itemPath).match(/^\\$|^\\[^\\]/)) {
            const cwd = process.cwd();
            external_assert_(cwd.match(/^[A-Z]:\\/i), `Expected current directory to start with an absolute drive root. Actual '${cwd}'`);
            return `${cwd[0]}:\\${itemPath.substr(1)}`;
        }
    }
    external_assert_(hasAbsoluteRoot(root), `ensureAbsoluteRoot parameter 'root' must have an absolute root`);
    // Otherwise ensure root ends with a separator
    if (root.endsWith('/') || (IS_WINDOWS && root.endsWith('\\'))) {
        // Intentionally empty
    }
    else {
        // Append separator
        root += external_path_.sep;
    }
    return root + itemPath;
}
/**
 * On Linux/macOS, true if path starts with `/`. On Windows, true for paths like:
 * `\\hello\share` and `C:\hello` (and using alternate separator).
 */
function hasAbsoluteRoot(itemPath) {
    external_assert_(itemPath, `hasAbsoluteRoot parameter 'itemPath' must not be empty`);
    // Normalize separators
    itemPath = normalizeSeparators(itemPath);
    // Windows
    if (IS_WINDOWS) {
        // E.g. \\hello\share or C:\hello
        return itemPath.startsWith('\\\\') || /^[A-Z]:\\/i.test(itemPath);
    }
    // E.g. /hello
    return itemPath.startsWith('/');
}
/**
 * On Linux/macOS, true if path starts with `/`. On Windows, true for paths like:
 * `\`, `\hello`, `\\hello\share`, `C:`, and `C:\hello` (and using alternate separator).
 */
function hasRoot(itemPath) {
    external_assert_(itemPath, `isRooted parameter 'itemPath' must not be empty`);
    // Normalize separators
    itemPath = normalizeSeparators(itemPath);
    // Windows
    if (IS_WINDOWS) {
        // E.g. \ or \hello or \\hello
        // E.g. C: or C:\hello
        return itemPath.startsWith('\\') || /^[A-Z]:/i.test(itemPath);
    }
    // E.g. /hello
    return itemPath.startsWith('/');
}
/**
 * Removes redundant slashes and converts `/` to `\` on Windows
 */
function normalizeSeparators(p) {
    p = p || '';
    // Windows
    if (IS_WINDOWS) {
        // Convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // Remove redundant slashes
        const isUnc = /^\\\\+[^\\]/.test(p); // e.g. \\hello
        return (isUnc ? '\\' : '') + p.replace(/\\\\+/g, '\\'); // preserve leading \\ for UNC
    }
    // Remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
/**
 * Normalizes the path separators and trims the trailing separator (when safe).
 * For example, `/foo/ => /foo` but `/ => /`
 */
function safeTrimTrailingSeparator(p) {
    // Short-circuit if empty
    if (!p) {
        return '';
    }
    // Normalize separators
    p = normalizeSeparators(p);
    // No trailing slash
    if (!p.endsWith(external_path_.sep)) {
        return p;
    }
    // Check '/' on Linux/macOS and '\' on Windows
    if (p === external_path_.sep) {
        return p;
    }
    // On Windows check if drive root. E.g. C:\
    if (IS_WINDOWS && /^[A-Z]:\\$/i.test(p)) {
        return p;
    }
    // Otherwise trim trailing slash
    return p.substr(0, p.length - 1);
}
//# sourceMappingURL=internal-path-helper.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-match-kind.js
/**
 * Indicates whether a pattern matches a path
 */
var MatchKind;
(function (MatchKind) {
    /** Not matched */
    MatchKind[MatchKind["None"] = 0] = "None";
    /** Matched if the path is a directory */
    MatchKind[MatchKind["Directory"] = 1] = "Directory";
    /** Matched if the path is a regular file */
    MatchKind[MatchKind["File"] = 2] = "File";
    /** Matched */
    MatchKind[MatchKind["All"] = 3] = "All";
})(MatchKind || (MatchKind = {}));
//# sourceMappingURL=internal-match-kind.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-pattern-helper.js


const internal_pattern_helper_IS_WINDOWS = process.platform === 'win32';
/**
 * Given an array of patterns, returns an array of paths to search.
 * Duplicates and paths under other included paths are filtered out.
 */
function getSearchPaths(patterns) {
    // Ignore negate patterns
    patterns = patterns.filter(x => !x.negate);
    // Create a map of all search paths
    const searchPathMap = {};
    for (const pattern of patterns) {
        const key = internal_pattern_helper_IS_WINDOWS
            ? pattern.searchPath.toUpperCase()
            : pattern.searchPath;
        searchPathMap[key] = 'candidate';
    }
    const result = [];
    for (const pattern of patterns) {
        // Check if already included
        const key = internal_pattern_helper_IS_WINDOWS
            ? pattern.searchPath.toUpperCase()
            : pattern.searchPath;
        if (searchPathMap[key] === 'included') {
            continue;
        }
        // Check for an ancestor search path
        let foundAncestor = false;
        let tempKey = key;
        let parent = dirname(tempKey);
        while (parent !== tempKey) {
            if (searchPathMap[parent]) {
                foundAncestor = true;
                break;
            }
            tempKey = parent;
            parent = dirname(tempKey);
        }
        // Include the search pattern in the result
        if (!foundAncestor) {
            result.push(pattern.searchPath);
            searchPathMap[key] = 'included';
        }
    }
    return result;
}
/**
 * Matches the patterns against the path
 */
function internal_pattern_helper_match(patterns, itemPath) {
    let result = MatchKind.None;
    for (const pattern of patterns) {
        if (pattern.negate) {
            result &= ~pattern.match(itemPath);
        }
        else {
            result |= pattern.match(itemPath);
        }
    }
    return result;
}
/**
 * Checks whether to descend further into the directory
 */
function internal_pattern_helper_partialMatch(patterns, itemPath) {
    return patterns.some(x => !x.negate && x.partialMatch(itemPath));
}
//# sourceMappingURL=internal-pattern-helper.js.map
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
;// CONCATENATED MODULE: ./node_modules/balanced-match/dist/esm/index.js
const balanced = (a, b, str) => {
    const ma = a instanceof RegExp ? maybeMatch(a, str) : a;
    const mb = b instanceof RegExp ? maybeMatch(b, str) : b;
    const r = ma !== null && mb != null && range(ma, mb, str);
    return (r && {
        start: r[0],
        end: r[1],
        pre: str.slice(0, r[0]),
        body: str.slice(r[0] + ma.length, r[1]),
        post: str.slice(r[1] + mb.length),
    });
};
const maybeMatch = (reg, str) => {
    const m = str.match(reg);
    return m ? m[0] : null;
};
const range = (a, b, str) => {
    let begs, beg, left, right = undefined, result;
    let ai = str.indexOf(a);
    let bi = str.indexOf(b, ai + 1);
    let i = ai;
    if (ai >= 0 && bi > 0) {
        if (a === b) {
            return [ai, bi];
        }
        begs = [];
        left = str.length;
        while (i >= 0 && !result) {
            if (i === ai) {
                begs.push(i);
                ai = str.indexOf(a, i + 1);
            }
            else if (begs.length === 1) {
                const r = begs.pop();
                if (r !== undefined)
                    result = [r, bi];
            }
            else {
                beg = begs.pop();
                if (beg !== undefined && beg < left) {
                    left = beg;
                    right = bi;
                }
                bi = str.indexOf(b, i + 1);
            }
            i = ai < bi && ai >= 0 ? ai : bi;
        }
        if (begs.length && right !== undefined) {
            result = [left, right];
        }
    }
    return result;
};
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/brace-expansion/dist/esm/index.js

const escSlash = '\0SLASH' + Math.random().toFixed(16) + '\0';
const escOpen = '\0OPEN' + Math.random().toFixed(16) + '\0';
const escClose = '\0CLOSE' + Math.random().toFixed(16) + '\0';
const escComma = '\0COMMA' + Math.random().toFixed(16) + '\0';
const escPeriod = '\0PERIOD' + Math.random().toFixed(16) + '\0';
const escSlashPattern = new RegExp(escSlash, 'g');
const escOpenPattern = new RegExp(escOpen, 'g');
const escClosePattern = new RegExp(escClose, 'g');
const escCommaPattern = new RegExp(escComma, 'g');
const escPeriodPattern = new RegExp(escPeriod, 'g');
const slashPattern = /\\\\/g;
const openPattern = /\\{/g;
const closePattern = /\\}/g;
const commaPattern = /\\,/g;
const periodPattern = /\\\./g;
const EXPANSION_MAX = 100_000;
// `EXPANSION_MAX` caps the *number* of expansions, but not their length. An
// input like `'{a,b}'.repeat(1500)` stays under that count - its output is
// truncated to 100k results - while making every result ~1500 characters
// long. The result set, and the intermediate arrays built while combining
// brace sets, then grow large enough to exhaust memory and crash the process
// (CVE-2026-14257). `EXPANSION_MAX_LENGTH` bounds the total number of
// characters the accumulator may hold at any point, so memory stays flat no
// matter how many brace groups are chained. The limit sits well above any
// realistic expansion (100k results hitting `EXPANSION_MAX` measure ~1M
// characters) so legitimate input is unaffected.
const EXPANSION_MAX_LENGTH = 4_000_000;
// `expand_` recurses once per level of brace *nesting* - both when expanding a
// set's comma members and when re-wrapping a set whose body is a single part.
// The CVE-2026-14257 fix made the *tail* iterative (recursion on `m.post`, one
// level per chained group), which left nesting depth unbounded: about 3,100
// levels of `{{{...a,b...}}}` - only ~6KB of input - exhausted the native stack
// and crashed the process. `EXPANSION_MAX_DEPTH` bounds how deep the parser
// will follow nesting. It sits far above any realistic pattern and well below
// the depth at which the stack runs out.
const EXPANSION_MAX_DEPTH = 1_000;
// Bash keeps a quirk where a brace group followed by a comma set still expands
// (`{a},b}`). The parser implements it by rewriting the string and restarting
// the scan, absorbing one `}` per pass. `n` trailing braces therefore cost `n`
// full passes over a string that itself grows by one `escClose` sentinel each
// time - quadratic in `n`, with a ~26x constant from the sentinel's length.
// 128KB of `'{a}' + '}'.repeat(n) + ',z}'` blocked the event loop for 27
// seconds to produce two results. `EXPANSION_MAX_REWRITES` bounds how many
// times the scan may restart. Real `{a},b}` input needs a handful.
const EXPANSION_MAX_REWRITES = 1_000;
// `EXPANSION_MAX_STEPS` bounds the work one `expand` call does, which `max`,
// `maxLength` and `maxDepth` don't: nested sets are rescanned at every level
// and chained groups each rebuild up to `max` results, so 2KB of input could
// block the event loop for over 30 seconds. Each character scanned, result
// built and sequence value generated is a step, and each `expand_` call costs
// `CALL_STEPS` more. Past the budget, the set being expanded and everything
// after it stay literal. A glob needs a few hundred steps, and nesting all the
// way to `EXPANSION_MAX_DEPTH` about 4M.
const EXPANSION_MAX_STEPS = 20_000_000;
// What one `expand_` call costs on top of what it scans and builds. Setting
// one up takes about as long as scanning 16 characters, and a set whose
// results are wrapped to be expanded again makes one call per result, each
// scanning and building next to nothing: 64KB of
// `('{{' + ','.repeat(316) + '}{' + ','.repeat(316) + '}}').repeat(n)` made
// 4M such calls, which spent the budget three times as slowly as anything
// else.
const CALL_STEPS = 16;
function numeric(str) {
    return !isNaN(str) ? parseInt(str, 10) : str.charCodeAt(0);
}
function escapeBraces(str) {
    return str
        .replace(slashPattern, escSlash)
        .replace(openPattern, escOpen)
        .replace(closePattern, escClose)
        .replace(commaPattern, escComma)
        .replace(periodPattern, escPeriod);
}
function unescapeBraces(str) {
    return str
        .replace(escSlashPattern, '\\')
        .replace(escOpenPattern, '{')
        .replace(escClosePattern, '}')
        .replace(escCommaPattern, ',')
        .replace(escPeriodPattern, '.');
}
// Like `target.push(...items)` but doesn't overflow the stack
function pushAll(target, items) {
    for (let i = 0; i < items.length; i++) {
        target.push(items[i]);
    }
}
// `balanced`, run on `masked` (see `maskUnmatchedOpens`), sliced from `str`
// and charged for the characters it walks: up to the group's `}`, or the
// whole string when there is no match or unmatched `{` come first, which
// `unmatched` then flags for masking. Once a call overdraws the budget, it
// and every later one return undefined, so the rest stays literal.
function balancedWithBudget(str, masked, budget) {
    if (budget.remaining < 0) {
        return undefined;
    }
    const r = range('{', '}', masked);
    const unmatched = r !== undefined && masked.indexOf('{') < r[0];
    budget.remaining -= r && !unmatched ? r[1] + 1 : str.length;
    if (!r || budget.remaining < 0) {
        return undefined;
    }
    return {
        end: r[1],
        pre: str.slice(0, r[0]),
        body: str.slice(r[0] + 1, r[1]),
        post: str.slice(r[1] + 1),
        unmatched,
    };
}
// `masked` with every `{` that has no matching `}` swapped for a `\0`, which
// keeps the length, so a scan of it still lines up with the string it was
// made from. Such a `{` is literal either way, but `balanced` only learns that
// one is unmatched by reading to the end of the string, so with one at the
// head of every group (`'{a,{b,c}'.repeat(n)`) each scan read the rest of the
// input. That was quadratic, and once the step budget charged for it, it ran
// out partway through and left the rest literal. A scan of the masked copy
// stops at the group's `}`. It is one pass, charged as such.
function maskUnmatchedOpens(masked, budget) {
    budget.remaining -= masked.length;
    const open = [];
    for (let i = 0; i < masked.length; i++) {
        const c = masked.charCodeAt(i);
        if (c === 0x7b) {
            open.push(i);
        }
        else if (c === 0x7d && open.length) {
            open.pop();
        }
    }
    let out = '';
    let last = 0;
    for (let i = 0; i < open.length; i++) {
        const at = open[i];
        out += masked.slice(last, at) + '\0';
        last = at + 1;
    }
    return out + masked.slice(last);
}
// Whether `str` has a `,` not followed by another `,`, with a `}` after it on
// the same line - what `/,(?!,).*\}/.test(str)` asks, answered in one pass from
// the end. The regex tries every `,` and backtracks through the rest of its
// line from each, which is quadratic, and the `{a},b}` rewrite asks again on
// every pass. Like a scan, it is charged for the whole string and refused if
// that overdraws the budget.
function commaSetFollows(str, budget) {
    budget.remaining -= str.length;
    if (budget.remaining < 0) {
        return false;
    }
    // Whether a `}` follows the current position before the line ends
    let close = false;
    for (let i = str.length - 1; i >= 0; i--) {
        const c = str.charCodeAt(i);
        if (c === 0x7d) {
            close = true;
        }
        else if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) {
            // A line terminator, which `.` does not match
            close = false;
        }
        else if (c === 0x2c && close && str.charCodeAt(i + 1) !== 0x2c) {
            return true;
        }
    }
    return false;
}
/**
 * Basically just str.split(","), but handling cases
 * where we have nested braced sections, which should be
 * treated as individual members, like {a,{b,c},d}
 *
 * Returns `undefined` if the step budget runs out before the whole set is
 * split, since splitting what is left on every comma would tear apart the
 * nested sets it still holds.
 */
function parseCommaParts(str, budget) {
    const parts = [];
    // Walk the brace groups iteratively. Recursing on `post` once per group let a
    // chain of them exhaust the stack - the parsing-side counterpart to
    // the `expand_` overflow fixed for CVE-2026-14257, and not something `max` or
    // `maxLength` can bound, since it happens before expansion.
    //
    // The part the next chunk continues
    let carry = '';
    for (;;) {
        // A set's body holds no unmatched `{`, so there is nothing to mask.
        const m = balancedWithBudget(str, str, budget);
        if (budget.remaining < 0) {
            return undefined;
        }
        if (!m) {
            const tail = str.split(',');
            tail[0] = carry + tail[0];
            pushAll(parts, tail);
            return parts;
        }
        const { pre, body, post } = m;
        const p = pre.split(',');
        p[0] = carry + p[0];
        p[p.length - 1] += '{' + body + '}';
        if (!post.length) {
            pushAll(parts, p);
            return parts;
        }
        carry = p.pop();
        pushAll(parts, p);
        str = post;
    }
}
// An option that is left out, or that is NaN, gets its default. Every
// comparison against NaN is false, so a NaN bound would never be reached:
// `{ maxSteps: NaN }` let 15KB of input block the event loop for 16 seconds,
// and `{ maxDepth: NaN }` overflowed the stack again (CVE-2026-102278). Pass
// `Infinity` to lift a bound.
function bound(value, fallback) {
    return value === undefined || isNaN(value) ? fallback : value;
}
function expand(str, options = {}) {
    if (!str) {
        return [];
    }
    const max = bound(options.max, EXPANSION_MAX);
    const maxLength = bound(options.maxLength, EXPANSION_MAX_LENGTH);
    const maxDepth = bound(options.maxDepth, EXPANSION_MAX_DEPTH);
    const maxRewrites = bound(options.maxRewrites, EXPANSION_MAX_REWRITES);
    const maxSteps = bound(options.maxSteps, EXPANSION_MAX_STEPS);
    // I don't know why Bash 4.3 does this, but it does.
    // Anything starting with {} will have the first two bytes preserved
    // but *only* at the top level, so {},a}b will not expand to anything,
    // but a{},b}c will be expanded to [a}c,abc].
    // One could argue that this is a bug in Bash, but since the goal of
    // this module is to match Bash's rules, we escape a leading {}
    if (str.slice(0, 2) === '{}') {
        str = '\\{\\}' + str.slice(2);
    }
    return expand_(escapeBraces(str), max, maxLength, maxDepth, 0, maxRewrites, { remaining: maxSteps }, true).map(unescapeBraces);
}
function embrace(str) {
    return '{' + str + '}';
}
function isPadded(el) {
    return /^-?0\d/.test(el);
}
function lte(i, y) {
    return i <= y;
}
function gte(i, y) {
    return i >= y;
}
// Build `{ acc[a] + pre + values[v] }` for every combination, capping the
// number of results at `max` and the total number of characters at `maxLength`.
// This is the one place output grows, so bounding it here keeps the single
// accumulator - and therefore memory - flat regardless of how many brace groups
// are combined (CVE-2026-14257). Each result built is a step, since `max` and
// `maxLength` bound one combination, not how many brace groups are combined.
function combine(acc, pre, values, max, maxLength, dropEmpties, budget) {
    const out = [];
    let length = 0;
    // Bash drops empty results at the top level, and they don't count against
    // `max`, so `max` bounds the number of *kept* results. Only an empty
    // `acc[a] + pre` can make one, so for those the empty values are skipped
    // without being visited. Visiting them one at a time let a set of empties
    // cost `acc.length * values.length` while keeping nothing.
    let nonEmpty;
    outer: for (let a = 0; a < acc.length; a++) {
        const prefix = acc[a] + pre;
        let vs = values;
        if (dropEmpties && !prefix) {
            if (!nonEmpty)
                nonEmpty = values.filter(v => v);
            vs = nonEmpty;
        }
        for (let v = 0; v < vs.length; v++) {
            if (out.length >= max)
                break outer;
            const expansion = prefix + vs[v];
            if (length + expansion.length > maxLength)
                break outer;
            out.push(expansion);
            length += expansion.length;
        }
    }
    budget.remaining -= out.length;
    return out;
}
// The expansion values of a single numeric (`1..5`) or alphabetic (`a..e..2`)
// sequence body, or `undefined` if the step budget runs out generating them.
function expandSequence(body, isAlphaSequence, max, maxLength, budget) {
    const n = body.split(/\.\./);
    const N = [];
    // A sequence body always splits into two or three parts, but the compiler
    // can't know that.
    /* c8 ignore start */
    if (n[0] === undefined || n[1] === undefined) {
        return N;
    }
    /* c8 ignore stop */
    const x = numeric(n[0]);
    const y = numeric(n[1]);
    const width = Math.max(n[0].length, n[1].length);
    let incr = n.length === 3 && n[2] !== undefined ?
        Math.max(Math.abs(numeric(n[2])), 1)
        : 1;
    let test = lte;
    const reverse = y < x;
    if (reverse) {
        incr *= -1;
        test = gte;
    }
    const pad = n.some(isPadded);
    // A padded value is built a character at a time to `width`, which the input
    // sets, so it costs one step per character: 64KB of
    // `('{' + '0'.repeat(100) + '..99999}').repeat(n)` took 7 seconds charged
    // one step per value.
    const cost = pad ? width : 1;
    let length = 0;
    for (let i = x; test(i, y) && N.length < max; i += incr) {
        // Each value is a step. `max` and `maxLength` bound one sequence, but a
        // chain of them still generated up to `max` values each, however few
        // combining could keep.
        budget.remaining -= cost;
        if (budget.remaining < 0) {
            return undefined;
        }
        let c;
        if (isAlphaSequence) {
            c = String.fromCharCode(i);
            if (c === '\\') {
                c = '';
            }
        }
        else {
            c = String(i);
            if (pad) {
                const need = width - c.length;
                if (need > 0) {
                    const z = new Array(need + 1).join('0');
                    if (i < 0) {
                        c = '-' + z + c.slice(1);
                    }
                    else {
                        c = z + c;
                    }
                }
            }
        }
        if (length + c.length > maxLength)
            break;
        N.push(c);
        length += c.length;
    }
    return N;
}
function expand_(str, max, maxLength, maxDepth, depth, maxRewrites, budget, isTop) {
    // An overdraft here makes the first scan refuse, so `str` stays literal.
    budget.remaining -= CALL_STEPS;
    // Too deeply nested to keep following: treat the rest as literal, the same
    // way a group that cannot expand is already handled. Truncating rather than
    // throwing keeps `expand` total, matching `max` and `maxLength`.
    if (depth > maxDepth) {
        return [str];
    }
    // Consume the string's top-level brace groups left to right, threading a
    // running set of combined prefixes (`acc`). Expanding the tail iteratively -
    // rather than recursing on `m.post` once per group - keeps the native stack
    // depth constant, so deeply chained input (`'{a,b}'.repeat(3000)`) can no
    // longer overflow the stack, and leaves a single accumulator whose size
    // `maxLength` bounds directly (CVE-2026-14257).
    let acc = [''];
    // Bash drops empty results, but only when the *first* top-level group is a
    // comma set - a sequence like `{a..\}` may legitimately yield ''. The drop
    // is on the final strings, so it is applied to whichever `combine` produces
    // them (the one with no brace set left in the tail).
    // How many times the `{a},b}` rewrite below has restarted the scan. Each pass
    // re-reads the whole string, so leaving this unbounded is quadratic.
    let rewrites = 0;
    let dropEmpties = false;
    let firstGroup = true;
    // `str` with its unmatched `{` masked, once a scan has run into them
    let masked = str;
    for (;;) {
        const m = balancedWithBudget(str, masked, budget);
        // No brace set left, or no step budget left to look for one: the rest of
        // the string is literal.
        if (!m) {
            return combine(acc, str, [''], max, maxLength, dropEmpties, budget);
        }
        if (m.unmatched) {
            masked = maskUnmatchedOpens(masked, budget);
        }
        // no need to expand pre, since it is guaranteed to be free of brace-sets
        const pre = m.pre;
        // This set and the rest of the string, literal: for a set that cannot
        // expand, and for one the step budget runs out on. Once it is overdrawn,
        // every set still being expanded, at every level, stays literal like this -
        // otherwise each level above would go on combining, and wrapping and
        // expanding again, results the budget was too small for.
        const literal = () => combine(acc, pre + '{' + m.body + '}' + m.post, [''], max, maxLength, dropEmpties, budget);
        if (/\$$/.test(pre)) {
            acc = combine(acc, pre + '{' + m.body + '}', [''], max, maxLength, dropEmpties && !m.post.length, budget);
            firstGroup = false;
            if (!m.post.length)
                break;
            str = m.post;
            masked = masked.slice(m.end + 1);
            continue;
        }
        const isNumericSequence = /^-?\d+\.\.-?\d+(?:\.\.-?\d+)?$/.test(m.body);
        const isAlphaSequence = /^[a-zA-Z]\.\.[a-zA-Z](?:\.\.-?\d+)?$/.test(m.body);
        const isSequence = isNumericSequence || isAlphaSequence;
        const isOptions = m.body.indexOf(',') >= 0;
        if (!isSequence && !isOptions) {
            // {a},b}
            if (rewrites < maxRewrites && commaSetFollows(m.post, budget)) {
                rewrites++;
                str = m.pre + '{' + m.body + escClose + m.post;
                // Taking a `}` away never gives an unmatched `{` a partner, so what
                // is masked stays unmatched. The `{` it closed can be left without
                // one, and the next scan masks it.
                masked =
                    masked.slice(0, m.end) + escClose + masked.slice(m.end + 1);
                isTop = true;
                continue;
            }
            // Nothing here expands, so the whole remaining string is literal.
            return literal();
        }
        if (firstGroup) {
            dropEmpties = isTop && !isSequence;
            firstGroup = false;
        }
        let values;
        if (isSequence) {
            values = expandSequence(m.body, isAlphaSequence, max, maxLength, budget);
            if (!values) {
                return literal();
            }
        }
        else {
            let n = parseCommaParts(m.body, budget);
            // The step budget ran out partway through the set.
            if (!n) {
                return literal();
            }
            if (n.length === 1 && n[0] !== undefined) {
                // x{{a,b}}y ==> x{a}y x{b}y
                n = expand_(n[0], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false).map(embrace);
                // The step budget ran out expanding the set's only part.
                if (budget.remaining < 0) {
                    return literal();
                }
                //XXX is this necessary? Can't seem to hit it in tests.
                /* c8 ignore start */
                if (n.length === 1) {
                    const next = combine(acc, pre + n[0], [''], max, maxLength, dropEmpties && !m.post.length, budget);
                    if (budget.remaining < 0) {
                        return literal();
                    }
                    acc = next;
                    if (!m.post.length)
                        break;
                    str = m.post;
                    masked = masked.slice(m.end + 1);
                    continue;
                }
                /* c8 ignore stop */
            }
            // Values that `combine` is going to drop as empty produce no result, so
            // they must not count against `max` - otherwise `{a,,b}` with `max: 2`
            // would stop at `['a', '']` and yield one result instead of two. Skipping
            // them outright keeps `values` bounded while leaving `max` a bound on
            // *kept* results.
            let dropsEmpties = dropEmpties && !m.post.length && !pre;
            for (let d = 0; dropsEmpties && d < acc.length; d++) {
                if (acc[d]) {
                    dropsEmpties = false;
                }
            }
            values = [];
            let valuesLength = 0;
            outer: for (let j = 0; j < n.length; j++) {
                const expanded = expand_(n[j], max, maxLength, maxDepth, depth + 1, maxRewrites, budget, false);
                // The step budget ran out expanding a member.
                if (budget.remaining < 0) {
                    return literal();
                }
                for (let k = 0; k < expanded.length; k++) {
                    const v = expanded[k];
                    if (dropsEmpties && !v)
                        continue;
                    if (values.length >= max ||
                        valuesLength + v.length > maxLength) {
                        break outer;
                    }
                    values.push(v);
                    valuesLength += v.length;
                }
            }
        }
        const next = combine(acc, pre, values, max, maxLength, dropEmpties && !m.post.length, budget);
        // The step budget ran out combining the set's values in.
        if (budget.remaining < 0) {
            return literal();
        }
        acc = next;
        if (!m.post.length)
            break;
        str = m.post;
        masked = masked.slice(m.end + 1);
    }
    return acc;
}
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/assert-valid-pattern.js
const MAX_PATTERN_LENGTH = 1024 * 64;
const assertValidPattern = (pattern) => {
    if (typeof pattern !== 'string') {
        throw new TypeError('invalid pattern');
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new TypeError('pattern is too long');
    }
};
//# sourceMappingURL=assert-valid-pattern.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/brace-expressions.js
// translate the various posix character classes into unicode properties
// this works across all unicode locales
// { <posix class>: [<translation>, /u flag required, negated]
const posixClasses = {
    '[:alnum:]': ['\\p{L}\\p{Nl}\\p{Nd}', true],
    '[:alpha:]': ['\\p{L}\\p{Nl}', true],
    '[:ascii:]': ['\\x' + '00-\\x' + '7f', false],
    '[:blank:]': ['\\p{Zs}\\t', true],
    '[:cntrl:]': ['\\p{Cc}', true],
    '[:digit:]': ['\\p{Nd}', true],
    '[:graph:]': ['\\p{Z}\\p{C}', true, true],
    '[:lower:]': ['\\p{Ll}', true],
    '[:print:]': ['\\p{C}', true],
    '[:punct:]': ['\\p{P}', true],
    '[:space:]': ['\\p{Z}\\t\\r\\n\\v\\f', true],
    '[:upper:]': ['\\p{Lu}', true],
    '[:word:]': ['\\p{L}\\p{Nl}\\p{Nd}\\p{Pc}', true],
    '[:xdigit:]': ['A-Fa-f0-9', false],
};
// only need to escape a few things inside of brace expressions
// escapes: [ \ ] -
const braceEscape = (s) => s.replace(/[[\]\\-]/g, '\\$&');
// escape all regexp magic characters
const regexpEscape = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, '\\$&');
// everything has already been escaped, we just have to join
const rangesToString = (ranges) => ranges.join('');
// takes a glob string at a posix brace expression, and returns
// an equivalent regular expression source, and boolean indicating
// whether the /u flag needs to be applied, and the number of chars
// consumed to parse the character class.
// This also removes out of order ranges, and returns ($.) if the
// entire class just no good.
const parseClass = (glob, position) => {
    const pos = position;
    /* c8 ignore start */
    if (glob.charAt(pos) !== '[') {
        throw new Error('not in a brace expression');
    }
    /* c8 ignore stop */
    const ranges = [];
    const negs = [];
    let i = pos + 1;
    let sawStart = false;
    let uflag = false;
    let escaping = false;
    let negate = false;
    let endPos = pos;
    let rangeStart = '';
    WHILE: while (i < glob.length) {
        const c = glob.charAt(i);
        if ((c === '!' || c === '^') && i === pos + 1) {
            negate = true;
            i++;
            continue;
        }
        if (c === ']' && sawStart && !escaping) {
            endPos = i + 1;
            break;
        }
        sawStart = true;
        if (c === '\\') {
            if (!escaping) {
                escaping = true;
                i++;
                continue;
            }
            // escaped \ char, fall through and treat like normal char
        }
        if (c === '[' && !escaping) {
            // either a posix class, a collation equivalent, or just a [
            for (const [cls, [unip, u, neg]] of Object.entries(posixClasses)) {
                if (glob.startsWith(cls, i)) {
                    // invalid, [a-[] is fine, but not [a-[:alpha]]
                    if (rangeStart) {
                        return ['$.', false, glob.length - pos, true];
                    }
                    i += cls.length;
                    if (neg)
                        negs.push(unip);
                    else
                        ranges.push(unip);
                    uflag = uflag || u;
                    continue WHILE;
                }
            }
        }
        // now it's just a normal character, effectively
        escaping = false;
        if (rangeStart) {
            // throw this range away if it's not valid, but others
            // can still match.
            if (c > rangeStart) {
                ranges.push(braceEscape(rangeStart) + '-' + braceEscape(c));
            }
            else if (c === rangeStart) {
                ranges.push(braceEscape(c));
            }
            rangeStart = '';
            i++;
            continue;
        }
        // now might be the start of a range.
        // can be either c-d or c-] or c<more...>] or c] at this point
        if (glob.startsWith('-]', i + 1)) {
            ranges.push(braceEscape(c + '-'));
            i += 2;
            continue;
        }
        if (glob.startsWith('-', i + 1)) {
            rangeStart = c;
            i += 2;
            continue;
        }
        // not the start of a range, just a single character
        ranges.push(braceEscape(c));
        i++;
    }
    if (endPos < i) {
        // didn't see the end of the class, not a valid class,
        // but might still be valid as a literal match.
        return ['', false, 0, false];
    }
    // if we got no ranges and no negates, then we have a range that
    // cannot possibly match anything, and that poisons the whole glob
    if (!ranges.length && !negs.length) {
        return ['$.', false, glob.length - pos, true];
    }
    // if we got one positive range, and it's a single character, then that's
    // not actually a magic pattern, it's just that one literal character.
    // we should not treat that as "magic", we should just return the literal
    // character. [_] is a perfectly valid way to escape glob magic chars.
    if (negs.length === 0 &&
        ranges.length === 1 &&
        /^\\?.$/.test(ranges[0]) &&
        !negate) {
        const r = ranges[0].length === 2 ? ranges[0].slice(-1) : ranges[0];
        return [regexpEscape(r), false, endPos - pos, false];
    }
    const sranges = '[' + (negate ? '^' : '') + rangesToString(ranges) + ']';
    const snegs = '[' + (negate ? '' : '^') + rangesToString(negs) + ']';
    const comb = ranges.length && negs.length ? '(' + sranges + '|' + snegs + ')'
        : ranges.length ? sranges
            : snegs;
    return [comb, uflag, endPos - pos, true];
};
//# sourceMappingURL=brace-expressions.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/unescape.js
/**
 * Un-escape a string that has been escaped with {@link escape}.
 *
 * If the {@link MinimatchOptions.windowsPathsNoEscape} option is used, then
 * square-bracket escapes are removed, but not backslash escapes.
 *
 * For example, it will turn the string `'[*]'` into `*`, but it will not
 * turn `'\\*'` into `'*'`, because `\` is a path separator in
 * `windowsPathsNoEscape` mode.
 *
 * When `windowsPathsNoEscape` is not set, then both square-bracket escapes and
 * backslash escapes are removed.
 *
 * Slashes (and backslashes in `windowsPathsNoEscape` mode) cannot be escaped
 * or unescaped.
 *
 * When `magicalBraces` is not set, escapes of braces (`{` and `}`) will not be
 * unescaped.
 */
const unescape_unescape = (s, { windowsPathsNoEscape = false, magicalBraces = true, } = {}) => {
    if (magicalBraces) {
        return windowsPathsNoEscape ?
            s.replace(/\[([^/\\])\]/g, '$1')
            : s
                .replace(/((?!\\).|^)\[([^/\\])\]/g, '$1$2')
                .replace(/\\([^/])/g, '$1');
    }
    return windowsPathsNoEscape ?
        s.replace(/\[([^/\\{}])\]/g, '$1')
        : s
            .replace(/((?!\\).|^)\[([^/\\{}])\]/g, '$1$2')
            .replace(/\\([^/{}])/g, '$1');
};
//# sourceMappingURL=unescape.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/ast.js
// parse a single path portion
var _a;


const types = new Set(['!', '?', '+', '*', '@']);
const isExtglobType = (c) => types.has(c);
const isExtglobAST = (c) => isExtglobType(c.type);
// Map of which extglob types can adopt the children of a nested extglob
//
// anything but ! can adopt a matching type:
// +(a|+(b|c)|d) => +(a|b|c|d)
// *(a|*(b|c)|d) => *(a|b|c|d)
// @(a|@(b|c)|d) => @(a|b|c|d)
// ?(a|?(b|c)|d) => ?(a|b|c|d)
//
// * can adopt anything, because 0 or repetition is allowed
// *(a|?(b|c)|d) => *(a|b|c|d)
// *(a|+(b|c)|d) => *(a|b|c|d)
// *(a|@(b|c)|d) => *(a|b|c|d)
//
// + can adopt @, because 1 or repetition is allowed
// +(a|@(b|c)|d) => +(a|b|c|d)
//
// + and @ CANNOT adopt *, because 0 would be allowed
// +(a|*(b|c)|d) => would match "", on *(b|c)
// @(a|*(b|c)|d) => would match "", on *(b|c)
//
// + and @ CANNOT adopt ?, because 0 would be allowed
// +(a|?(b|c)|d) => would match "", on ?(b|c)
// @(a|?(b|c)|d) => would match "", on ?(b|c)
//
// ? can adopt @, because 0 or 1 is allowed
// ?(a|@(b|c)|d) => ?(a|b|c|d)
//
// ? and @ CANNOT adopt * or +, because >1 would be allowed
// ?(a|*(b|c)|d) => would match bbb on *(b|c)
// @(a|*(b|c)|d) => would match bbb on *(b|c)
// ?(a|+(b|c)|d) => would match bbb on +(b|c)
// @(a|+(b|c)|d) => would match bbb on +(b|c)
//
// ! CANNOT adopt ! (nothing else can either)
// !(a|!(b|c)|d) => !(a|b|c|d) would fail to match on b (not not b|c)
//
// ! can adopt @
// !(a|@(b|c)|d) => !(a|b|c|d)
//
// ! CANNOT adopt *
// !(a|*(b|c)|d) => !(a|b|c|d) would match on bbb, not allowed
//
// ! CANNOT adopt +
// !(a|+(b|c)|d) => !(a|b|c|d) would match on bbb, not allowed
//
// ! CANNOT adopt ?
// x!(a|?(b|c)|d) => x!(a|b|c|d) would fail to match "x"
const adoptionMap = new Map([
    ['!', ['@']],
    ['?', ['?', '@']],
    ['@', ['@']],
    ['*', ['*', '+', '?', '@']],
    ['+', ['+', '@']],
]);
// nested extglobs that can be adopted in, but with the addition of
// a blank '' element.
const adoptionWithSpaceMap = new Map([
    ['!', ['?']],
    ['@', ['?']],
    ['+', ['?', '*']],
]);
// union of the previous two maps
const adoptionAnyMap = new Map([
    ['!', ['?', '@']],
    ['?', ['?', '@']],
    ['@', ['?', '@']],
    ['*', ['*', '+', '?', '@']],
    ['+', ['+', '@', '?', '*']],
]);
// Extglobs that can take over their parent if they are the only child
// the key is parent, value maps child to resulting extglob parent type
// '@' is omitted because it's a special case. An `@` extglob with a single
// member can always be usurped by that subpattern.
const usurpMap = new Map([
    ['!', new Map([['!', '@']])],
    [
        '?',
        new Map([
            ['*', '*'],
            ['+', '*'],
        ]),
    ],
    [
        '@',
        new Map([
            ['!', '!'],
            ['?', '?'],
            ['@', '@'],
            ['*', '*'],
            ['+', '+'],
        ]),
    ],
    [
        '+',
        new Map([
            ['?', '*'],
            ['*', '*'],
        ]),
    ],
]);
// Patterns that get prepended to bind to the start of either the
// entire string, or just a single path portion, to prevent dots
// and/or traversal patterns, when needed.
// Exts don't need the ^ or / bit, because the root binds that already.
const startNoTraversal = '(?!(?:^|/)\\.\\.?(?:$|/))';
const startNoDot = '(?!\\.)';
// characters that indicate a start of pattern needs the "no dots" bit,
// because a dot *might* be matched. ( is not in the list, because in
// the case of a child extglob, it will handle the prevention itself.
const addPatternStart = new Set(['[', '.']);
// cases where traversal is A-OK, no dot prevention needed
const justDots = new Set(['..', '.']);
const reSpecials = new Set('().*{}+?[]^$\\!');
const regExpEscape = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, '\\$&');
// any single thing other than /
const qmark = '[^/]';
// * => any number of characters
const star = qmark + '*?';
// use + when we need to ensure that *something* matches, because the * is
// the only thing in the path portion.
const starNoEmpty = qmark + '+?';
// remove the \ chars that we added if we end up doing a nonmagic compare
// const deslash = (s: string) => s.replace(/\\(.)/g, '$1')
let ID = 0;
class AST {
    type;
    #root;
    #hasMagic;
    #uflag = false;
    #parts = [];
    #parent;
    #parentIndex;
    #negs;
    #filledNegs = false;
    #options;
    #toString;
    // set to true if it's an extglob with no children
    // (which really means one child of '')
    #emptyExt = false;
    id = ++ID;
    get depth() {
        return (this.#parent?.depth ?? -1) + 1;
    }
    [Symbol.for('nodejs.util.inspect.custom')]() {
        return {
            '@@type': 'AST',
            id: this.id,
            type: this.type,
            root: this.#root.id,
            parent: this.#parent?.id,
            depth: this.depth,
            partsLength: this.#parts.length,
            parts: this.#parts,
        };
    }
    constructor(type, parent, options = {}) {
        this.type = type;
        // extglobs are inherently magical
        if (type)
            this.#hasMagic = true;
        this.#parent = parent;
        this.#root = this.#parent ? this.#parent.#root : this;
        this.#options = this.#root === this ? options : this.#root.#options;
        this.#negs = this.#root === this ? [] : this.#root.#negs;
        if (type === '!' && !this.#root.#filledNegs)
            this.#negs.push(this);
        this.#parentIndex = this.#parent ? this.#parent.#parts.length : 0;
    }
    get hasMagic() {
        /* c8 ignore start */
        if (this.#hasMagic !== undefined)
            return this.#hasMagic;
        /* c8 ignore stop */
        for (const p of this.#parts) {
            if (typeof p === 'string')
                continue;
            if (p.type || p.hasMagic)
                return (this.#hasMagic = true);
        }
        // note: will be undefined until we generate the regexp src and find out
        return this.#hasMagic;
    }
    // reconstructs the pattern
    toString() {
        return (this.#toString !== undefined ? this.#toString
            : !this.type ?
                (this.#toString = this.#parts.map(p => String(p)).join(''))
                : (this.#toString =
                    this.type +
                        '(' +
                        this.#parts.map(p => String(p)).join('|') +
                        ')'));
    }
    #fillNegs() {
        /* c8 ignore start */
        if (this !== this.#root)
            throw new Error('should only call on root');
        if (this.#filledNegs)
            return this;
        /* c8 ignore stop */
        // call toString() once to fill this out
        this.toString();
        this.#filledNegs = true;
        let n;
        while ((n = this.#negs.pop())) {
            if (n.type !== '!')
                continue;
            // walk up the tree, appending everthing that comes AFTER parentIndex
            let p = n;
            let pp = p.#parent;
            while (pp) {
                for (let i = p.#parentIndex + 1; !pp.type && i < pp.#parts.length; i++) {
                    for (const part of n.#parts) {
                        /* c8 ignore start */
                        if (typeof part === 'string') {
                            throw new Error('string part in extglob AST??');
                        }
                        /* c8 ignore stop */
                        part.copyIn(pp.#parts[i]);
                    }
                }
                p = pp;
                pp = p.#parent;
            }
        }
        return this;
    }
    push(...parts) {
        for (const p of parts) {
            if (p === '')
                continue;
            /* c8 ignore start */
            if (typeof p !== 'string' &&
                !(p instanceof _a && p.#parent === this)) {
                throw new Error('invalid part: ' + p);
            }
            /* c8 ignore stop */
            this.#parts.push(p);
        }
    }
    toJSON() {
        const ret = this.type === null ?
            this.#parts
                .slice()
                .map(p => (typeof p === 'string' ? p : p.toJSON()))
            : [this.type, ...this.#parts.map(p => p.toJSON())];
        if (this.isStart() && !this.type)
            ret.unshift([]);
        if (this.isEnd() &&
            (this === this.#root ||
                (this.#root.#filledNegs && this.#parent?.type === '!'))) {
            ret.push({});
        }
        return ret;
    }
    isStart() {
        if (this.#root === this)
            return true;
        // if (this.type) return !!this.#parent?.isStart()
        if (!this.#parent?.isStart())
            return false;
        if (this.#parentIndex === 0)
            return true;
        // if everything AHEAD of this is a negation, then it's still the "start"
        const p = this.#parent;
        for (let i = 0; i < this.#parentIndex; i++) {
            const pp = p.#parts[i];
            if (!(pp instanceof _a && pp.type === '!')) {
                return false;
            }
        }
        return true;
    }
    isEnd() {
        if (this.#root === this)
            return true;
        if (this.#parent?.type === '!')
            return true;
        if (!this.#parent?.isEnd())
            return false;
        if (!this.type)
            return this.#parent?.isEnd();
        // if not root, it'll always have a parent
        /* c8 ignore start */
        const pl = this.#parent ? this.#parent.#parts.length : 0;
        /* c8 ignore stop */
        return this.#parentIndex === pl - 1;
    }
    copyIn(part) {
        if (typeof part === 'string')
            this.push(part);
        else
            this.push(part.clone(this));
    }
    clone(parent) {
        const c = new _a(this.type, parent);
        for (const p of this.#parts) {
            c.copyIn(p);
        }
        return c;
    }
    static #parseAST(str, ast, pos, opt, extDepth) {
        const maxDepth = opt.maxExtglobRecursion ?? 2;
        let escaping = false;
        let inBrace = false;
        let braceStart = -1;
        let braceNeg = false;
        if (ast.type === null) {
            // outside of a extglob, append until we find a start
            let i = pos;
            let acc = '';
            while (i < str.length) {
                const c = str.charAt(i++);
                // still accumulate escapes at this point, but we do ignore
                // starts that are escaped
                if (escaping || c === '\\') {
                    escaping = !escaping;
                    acc += c;
                    continue;
                }
                if (inBrace) {
                    if (i === braceStart + 1) {
                        if (c === '^' || c === '!') {
                            braceNeg = true;
                        }
                    }
                    else if (c === ']' && !(i === braceStart + 2 && braceNeg)) {
                        inBrace = false;
                    }
                    acc += c;
                    continue;
                }
                else if (c === '[') {
                    inBrace = true;
                    braceStart = i;
                    braceNeg = false;
                    acc += c;
                    continue;
                }
                // we don't have to check for adoption here, because that's
                // done at the other recursion point.
                const doRecurse = !opt.noext &&
                    isExtglobType(c) &&
                    str.charAt(i) === '(' &&
                    extDepth <= maxDepth;
                if (doRecurse) {
                    ast.push(acc);
                    acc = '';
                    const ext = new _a(c, ast);
                    i = _a.#parseAST(str, ext, i, opt, extDepth + 1);
                    ast.push(ext);
                    continue;
                }
                acc += c;
            }
            ast.push(acc);
            return i;
        }
        // some kind of extglob, pos is at the (
        // find the next | or )
        let i = pos + 1;
        let part = new _a(null, ast);
        const parts = [];
        let acc = '';
        while (i < str.length) {
            const c = str.charAt(i++);
            // still accumulate escapes at this point, but we do ignore
            // starts that are escaped
            if (escaping || c === '\\') {
                escaping = !escaping;
                acc += c;
                continue;
            }
            if (inBrace) {
                if (i === braceStart + 1) {
                    if (c === '^' || c === '!') {
                        braceNeg = true;
                    }
                }
                else if (c === ']' && !(i === braceStart + 2 && braceNeg)) {
                    inBrace = false;
                }
                acc += c;
                continue;
            }
            else if (c === '[') {
                inBrace = true;
                braceStart = i;
                braceNeg = false;
                acc += c;
                continue;
            }
            const doRecurse = !opt.noext &&
                isExtglobType(c) &&
                str.charAt(i) === '(' &&
                /* c8 ignore start - the maxDepth is sufficient here */
                (extDepth <= maxDepth || (ast && ast.#canAdoptType(c)));
            /* c8 ignore stop */
            if (doRecurse) {
                const depthAdd = ast && ast.#canAdoptType(c) ? 0 : 1;
                part.push(acc);
                acc = '';
                const ext = new _a(c, part);
                part.push(ext);
                i = _a.#parseAST(str, ext, i, opt, extDepth + depthAdd);
                continue;
            }
            if (c === '|') {
                part.push(acc);
                acc = '';
                parts.push(part);
                part = new _a(null, ast);
                continue;
            }
            if (c === ')') {
                if (acc === '' && ast.#parts.length === 0) {
                    ast.#emptyExt = true;
                }
                part.push(acc);
                acc = '';
                ast.push(...parts, part);
                return i;
            }
            acc += c;
        }
        // unfinished extglob
        // if we got here, it was a malformed extglob! not an extglob, but
        // maybe something else in there.
        ast.type = null;
        ast.#hasMagic = undefined;
        ast.#parts = [str.substring(pos - 1)];
        return i;
    }
    #canAdoptWithSpace(child) {
        return this.#canAdopt(child, adoptionWithSpaceMap);
    }
    #canAdopt(child, map = adoptionMap) {
        if (!child ||
            typeof child !== 'object' ||
            child.type !== null ||
            child.#parts.length !== 1 ||
            this.type === null) {
            return false;
        }
        const gc = child.#parts[0];
        if (!gc || typeof gc !== 'object' || gc.type === null) {
            return false;
        }
        return this.#canAdoptType(gc.type, map);
    }
    #canAdoptType(c, map = adoptionAnyMap) {
        return !!map.get(this.type)?.includes(c);
    }
    #adoptWithSpace(child, index) {
        const gc = child.#parts[0];
        const blank = new _a(null, gc, this.options);
        blank.#parts.push('');
        gc.push(blank);
        this.#adopt(child, index);
    }
    #adopt(child, index) {
        const gc = child.#parts[0];
        this.#parts.splice(index, 1, ...gc.#parts);
        for (const p of gc.#parts) {
            if (typeof p === 'object')
                p.#parent = this;
        }
        this.#toString = undefined;
    }
    #canUsurpType(c) {
        const m = usurpMap.get(this.type);
        return !!m?.has(c);
    }
    #canUsurp(child) {
        if (!child ||
            typeof child !== 'object' ||
            child.type !== null ||
            child.#parts.length !== 1 ||
            this.type === null ||
            this.#parts.length !== 1) {
            return false;
        }
        const gc = child.#parts[0];
        if (!gc || typeof gc !== 'object' || gc.type === null) {
            return false;
        }
        return this.#canUsurpType(gc.type);
    }
    #usurp(child) {
        const m = usurpMap.get(this.type);
        const gc = child.#parts[0];
        const nt = m?.get(gc.type);
        /* c8 ignore start - impossible */
        if (!nt)
            return false;
        /* c8 ignore stop */
        this.#parts = gc.#parts;
        for (const p of this.#parts) {
            if (typeof p === 'object') {
                p.#parent = this;
            }
        }
        this.type = nt;
        this.#toString = undefined;
        this.#emptyExt = false;
    }
    static fromGlob(pattern, options = {}) {
        const ast = new _a(null, undefined, options);
        _a.#parseAST(pattern, ast, 0, options, 0);
        return ast;
    }
    // returns the regular expression if there's magic, or the unescaped
    // string if not.
    toMMPattern() {
        // should only be called on root
        /* c8 ignore start */
        if (this !== this.#root)
            return this.#root.toMMPattern();
        /* c8 ignore stop */
        const glob = this.toString();
        const [re, body, hasMagic, uflag] = this.toRegExpSource();
        // if we're in nocase mode, and not nocaseMagicOnly, then we do
        // still need a regular expression if we have to case-insensitively
        // match capital/lowercase characters.
        const anyMagic = hasMagic ||
            this.#hasMagic ||
            (this.#options.nocase &&
                !this.#options.nocaseMagicOnly &&
                glob.toUpperCase() !== glob.toLowerCase());
        if (!anyMagic) {
            return body;
        }
        const flags = (this.#options.nocase ? 'i' : '') + (uflag ? 'u' : '');
        return Object.assign(new RegExp(`^${re}$`, flags), {
            _src: re,
            _glob: glob,
        });
    }
    get options() {
        return this.#options;
    }
    // returns the string match, the regexp source, whether there's magic
    // in the regexp (so a regular expression is required) and whether or
    // not the uflag is needed for the regular expression (for posix classes)
    // TODO: instead of injecting the start/end at this point, just return
    // the BODY of the regexp, along with the start/end portions suitable
    // for binding the start/end in either a joined full-path makeRe context
    // (where we bind to (^|/), or a standalone matchPart context (where
    // we bind to ^, and not /).  Otherwise slashes get duped!
    //
    // In part-matching mode, the start is:
    // - if not isStart: nothing
    // - if traversal possible, but not allowed: ^(?!\.\.?$)
    // - if dots allowed or not possible: ^
    // - if dots possible and not allowed: ^(?!\.)
    // end is:
    // - if not isEnd(): nothing
    // - else: $
    //
    // In full-path matching mode, we put the slash at the START of the
    // pattern, so start is:
    // - if first pattern: same as part-matching mode
    // - if not isStart(): nothing
    // - if traversal possible, but not allowed: /(?!\.\.?(?:$|/))
    // - if dots allowed or not possible: /
    // - if dots possible and not allowed: /(?!\.)
    // end is:
    // - if last pattern, same as part-matching mode
    // - else nothing
    //
    // Always put the (?:$|/) on negated tails, though, because that has to be
    // there to bind the end of the negated pattern portion, and it's easier to
    // just stick it in now rather than try to inject it later in the middle of
    // the pattern.
    //
    // We can just always return the same end, and leave it up to the caller
    // to know whether it's going to be used joined or in parts.
    // And, if the start is adjusted slightly, can do the same there:
    // - if not isStart: nothing
    // - if traversal possible, but not allowed: (?:/|^)(?!\.\.?$)
    // - if dots allowed or not possible: (?:/|^)
    // - if dots possible and not allowed: (?:/|^)(?!\.)
    //
    // But it's better to have a simpler binding without a conditional, for
    // performance, so probably better to return both start options.
    //
    // Then the caller just ignores the end if it's not the first pattern,
    // and the start always gets applied.
    //
    // But that's always going to be $ if it's the ending pattern, or nothing,
    // so the caller can just attach $ at the end of the pattern when building.
    //
    // So the todo is:
    // - better detect what kind of start is needed
    // - return both flavors of starting pattern
    // - attach $ at the end of the pattern when creating the actual RegExp
    //
    // Ah, but wait, no, that all only applies to the root when the first pattern
    // is not an extglob. If the first pattern IS an extglob, then we need all
    // that dot prevention biz to live in the extglob portions, because eg
    // +(*|.x*) can match .xy but not .yx.
    //
    // So, return the two flavors if it's #root and the first child is not an
    // AST, otherwise leave it to the child AST to handle it, and there,
    // use the (?:^|/) style of start binding.
    //
    // Even simplified further:
    // - Since the start for a join is eg /(?!\.) and the start for a part
    // is ^(?!\.), we can just prepend (?!\.) to the pattern (either root
    // or start or whatever) and prepend ^ or / at the Regexp construction.
    toRegExpSource(allowDot) {
        const dot = allowDot ?? !!this.#options.dot;
        if (this.#root === this) {
            this.#flatten();
            this.#fillNegs();
        }
        if (!isExtglobAST(this)) {
            const noEmpty = this.isStart() &&
                this.isEnd() &&
                !this.#parts.some(s => typeof s !== 'string');
            const src = this.#parts
                .map(p => {
                const [re, _, hasMagic, uflag] = typeof p === 'string' ?
                    _a.#parseGlob(p, this.#hasMagic, noEmpty)
                    : p.toRegExpSource(allowDot);
                this.#hasMagic = this.#hasMagic || hasMagic;
                this.#uflag = this.#uflag || uflag;
                return re;
            })
                .join('');
            let start = '';
            if (this.isStart()) {
                if (typeof this.#parts[0] === 'string') {
                    // this is the string that will match the start of the pattern,
                    // so we need to protect against dots and such.
                    // '.' and '..' cannot match unless the pattern is that exactly,
                    // even if it starts with . or dot:true is set.
                    const dotTravAllowed = this.#parts.length === 1 && justDots.has(this.#parts[0]);
                    if (!dotTravAllowed) {
                        const aps = addPatternStart;
                        // check if we have a possibility of matching . or ..,
                        // and prevent that.
                        const needNoTrav = 
                        // dots are allowed, and the pattern starts with [ or .
                        (dot && aps.has(src.charAt(0))) ||
                            // the pattern starts with \., and then [ or .
                            (src.startsWith('\\.') && aps.has(src.charAt(2))) ||
                            // the pattern starts with \.\., and then [ or .
                            (src.startsWith('\\.\\.') && aps.has(src.charAt(4)));
                        // no need to prevent dots if it can't match a dot, or if a
                        // sub-pattern will be preventing it anyway.
                        const needNoDot = !dot && !allowDot && aps.has(src.charAt(0));
                        start =
                            needNoTrav ? startNoTraversal
                                : needNoDot ? startNoDot
                                    : '';
                    }
                }
            }
            // append the "end of path portion" pattern to negation tails
            let end = '';
            if (this.isEnd() &&
                this.#root.#filledNegs &&
                this.#parent?.type === '!') {
                end = '(?:$|\\/)';
            }
            const final = start + src + end;
            return [
                final,
                unescape_unescape(src),
                (this.#hasMagic = !!this.#hasMagic),
                this.#uflag,
            ];
        }
        // We need to calculate the body *twice* if it's a repeat pattern
        // at the start, once in nodot mode, then again in dot mode, so a
        // pattern like *(?) can match 'x.y'
        const repeated = this.type === '*' || this.type === '+';
        // some kind of extglob
        const start = this.type === '!' ? '(?:(?!(?:' : '(?:';
        let body = this.#partsToRegExp(dot);
        if (this.isStart() && this.isEnd() && !body && this.type !== '!') {
            // invalid extglob, has to at least be *something* present, if it's
            // the entire path portion.
            const s = this.toString();
            const me = this;
            me.#parts = [s];
            me.type = null;
            me.#hasMagic = undefined;
            return [s, unescape_unescape(this.toString()), false, false];
        }
        let bodyDotAllowed = !repeated || allowDot || dot || !startNoDot ?
            ''
            : this.#partsToRegExp(true);
        if (bodyDotAllowed === body) {
            bodyDotAllowed = '';
        }
        if (bodyDotAllowed) {
            body = `(?:${body})(?:${bodyDotAllowed})*?`;
        }
        // an empty !() is exactly equivalent to a starNoEmpty
        let final = '';
        if (this.type === '!' && this.#emptyExt) {
            final = (this.isStart() && !dot ? startNoDot : '') + starNoEmpty;
        }
        else {
            const close = this.type === '!' ?
                // !() must match something,but !(x) can match ''
                '))' +
                    (this.isStart() && !dot && !allowDot ? startNoDot : '') +
                    star +
                    ')'
                : this.type === '@' ? ')'
                    : this.type === '?' ? ')?'
                        : this.type === '+' && bodyDotAllowed ? ')'
                            : this.type === '*' && bodyDotAllowed ? `)?`
                                : `)${this.type}`;
            final = start + body + close;
        }
        return [
            final,
            unescape_unescape(body),
            (this.#hasMagic = !!this.#hasMagic),
            this.#uflag,
        ];
    }
    #flatten() {
        if (!isExtglobAST(this)) {
            for (const p of this.#parts) {
                if (typeof p === 'object') {
                    p.#flatten();
                }
            }
        }
        else {
            // do up to 10 passes to flatten as much as possible
            let iterations = 0;
            let done = false;
            do {
                done = true;
                for (let i = 0; i < this.#parts.length; i++) {
                    const c = this.#parts[i];
                    if (typeof c === 'object') {
                        c.#flatten();
                        if (this.#canAdopt(c)) {
                            done = false;
                            this.#adopt(c, i);
                        }
                        else if (this.#canAdoptWithSpace(c)) {
                            done = false;
                            this.#adoptWithSpace(c, i);
                        }
                        else if (this.#canUsurp(c)) {
                            done = false;
                            this.#usurp(c);
                        }
                    }
                }
            } while (!done && ++iterations < 10);
        }
        this.#toString = undefined;
    }
    #partsToRegExp(dot) {
        return this.#parts
            .map(p => {
            // extglob ASTs should only contain parent ASTs
            /* c8 ignore start */
            if (typeof p === 'string') {
                throw new Error('string type in extglob ast??');
            }
            /* c8 ignore stop */
            // can ignore hasMagic, because extglobs are already always magic
            const [re, _, _hasMagic, uflag] = p.toRegExpSource(dot);
            this.#uflag = this.#uflag || uflag;
            return re;
        })
            .filter(p => !(this.isStart() && this.isEnd()) || !!p)
            .join('|');
    }
    static #parseGlob(glob, hasMagic, noEmpty = false) {
        let escaping = false;
        let re = '';
        let uflag = false;
        // multiple stars that aren't globstars coalesce into one *
        let inStar = false;
        for (let i = 0; i < glob.length; i++) {
            const c = glob.charAt(i);
            if (escaping) {
                escaping = false;
                re += (reSpecials.has(c) ? '\\' : '') + c;
                continue;
            }
            if (c === '*') {
                if (inStar)
                    continue;
                inStar = true;
                re += noEmpty && /^[*]+$/.test(glob) ? starNoEmpty : star;
                hasMagic = true;
                continue;
            }
            else {
                inStar = false;
            }
            if (c === '\\') {
                if (i === glob.length - 1) {
                    re += '\\\\';
                }
                else {
                    escaping = true;
                }
                continue;
            }
            if (c === '[') {
                const [src, needUflag, consumed, magic] = parseClass(glob, i);
                if (consumed) {
                    re += src;
                    uflag = uflag || needUflag;
                    i += consumed - 1;
                    hasMagic = hasMagic || magic;
                    continue;
                }
            }
            if (c === '?') {
                re += qmark;
                hasMagic = true;
                continue;
            }
            re += regExpEscape(c);
        }
        return [re, unescape_unescape(glob), !!hasMagic, uflag];
    }
}
_a = AST;
//# sourceMappingURL=ast.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/escape.js
/**
 * Escape all magic characters in a glob pattern.
 *
 * If the {@link MinimatchOptions.windowsPathsNoEscape}
 * option is used, then characters are escaped by wrapping in `[]`, because
 * a magic character wrapped in a character class can only be satisfied by
 * that exact character.  In this mode, `\` is _not_ escaped, because it is
 * not interpreted as a magic character, but instead as a path separator.
 *
 * If the {@link MinimatchOptions.magicalBraces} option is used,
 * then braces (`{` and `}`) will be escaped.
 */
const escape_escape = (s, { windowsPathsNoEscape = false, magicalBraces = false, } = {}) => {
    // don't need to escape +@! because we escape the parens
    // that make those magic, and escaping ! as [!] isn't valid,
    // because [!]] is a valid glob class meaning not ']'.
    if (magicalBraces) {
        return windowsPathsNoEscape ?
            s.replace(/[?*()[\]{}]/g, '[$&]')
            : s.replace(/[?*()[\]\\{}]/g, '\\$&');
    }
    return windowsPathsNoEscape ?
        s.replace(/[?*()[\]]/g, '[$&]')
        : s.replace(/[?*()[\]\\]/g, '\\$&');
};
//# sourceMappingURL=escape.js.map
;// CONCATENATED MODULE: ./node_modules/minimatch/dist/esm/index.js





const minimatch = (p, pattern, options = {}) => {
    assertValidPattern(pattern);
    // shortcut: comments match nothing.
    if (!options.nocomment && pattern.charAt(0) === '#') {
        return false;
    }
    return new Minimatch(pattern, options).match(p);
};
// Optimized checking for the most common glob patterns.
const starDotExtRE = /^\*+([^+@!?*[(]*)$/;
const starDotExtTest = (ext) => (f) => !f.startsWith('.') && f.endsWith(ext);
const starDotExtTestDot = (ext) => (f) => f.endsWith(ext);
const starDotExtTestNocase = (ext) => {
    ext = ext.toLowerCase();
    return (f) => !f.startsWith('.') && f.toLowerCase().endsWith(ext);
};
const starDotExtTestNocaseDot = (ext) => {
    ext = ext.toLowerCase();
    return (f) => f.toLowerCase().endsWith(ext);
};
const starDotStarRE = /^\*+\.\*+$/;
const starDotStarTest = (f) => !f.startsWith('.') && f.includes('.');
const starDotStarTestDot = (f) => f !== '.' && f !== '..' && f.includes('.');
const dotStarRE = /^\.\*+$/;
const dotStarTest = (f) => f !== '.' && f !== '..' && f.startsWith('.');
const starRE = /^\*+$/;
const starTest = (f) => f.length !== 0 && !f.startsWith('.');
const starTestDot = (f) => f.length !== 0 && f !== '.' && f !== '..';
const qmarksRE = /^\?+([^+@!?*[(]*)?$/;
const qmarksTestNocase = ([$0, ext = '']) => {
    const noext = qmarksTestNoExt([$0]);
    if (!ext)
        return noext;
    ext = ext.toLowerCase();
    return (f) => noext(f) && f.toLowerCase().endsWith(ext);
};
const qmarksTestNocaseDot = ([$0, ext = '']) => {
    const noext = qmarksTestNoExtDot([$0]);
    if (!ext)
        return noext;
    ext = ext.toLowerCase();
    return (f) => noext(f) && f.toLowerCase().endsWith(ext);
};
const qmarksTestDot = ([$0, ext = '']) => {
    const noext = qmarksTestNoExtDot([$0]);
    return !ext ? noext : (f) => noext(f) && f.endsWith(ext);
};
const qmarksTest = ([$0, ext = '']) => {
    const noext = qmarksTestNoExt([$0]);
    return !ext ? noext : (f) => noext(f) && f.endsWith(ext);
};
const qmarksTestNoExt = ([$0]) => {
    const len = $0.length;
    return (f) => f.length === len && !f.startsWith('.');
};
const qmarksTestNoExtDot = ([$0]) => {
    const len = $0.length;
    return (f) => f.length === len && f !== '.' && f !== '..';
};
/* c8 ignore start */
const defaultPlatform = (typeof process === 'object' && process ?
    (typeof process.env === 'object' &&
        process.env &&
        process.env.__MINIMATCH_TESTING_PLATFORM__) ||
        process.platform
    : 'posix');
const esm_path = {
    win32: { sep: '\\' },
    posix: { sep: '/' },
};
/* c8 ignore stop */
const sep = defaultPlatform === 'win32' ? esm_path.win32.sep : esm_path.posix.sep;
minimatch.sep = sep;
const GLOBSTAR = Symbol('globstar **');
minimatch.GLOBSTAR = GLOBSTAR;
// any single thing other than /
// don't need to escape / when using new RegExp()
const esm_qmark = '[^/]';
// * => any number of characters
const esm_star = esm_qmark + '*?';
// ** when dots are allowed.  Anything goes, except .. and .
// not (^ or / followed by one or two dots followed by $ or /),
// followed by anything, any number of times.
const twoStarDot = '(?:(?!(?:\\/|^)(?:\\.{1,2})($|\\/)).)*?';
// not a ^ or / followed by a dot,
// followed by anything, any number of times.
const twoStarNoDot = '(?:(?!(?:\\/|^)\\.).)*?';
const filter = (pattern, options = {}) => (p) => minimatch(p, pattern, options);
minimatch.filter = filter;
const ext = (a, b = {}) => Object.assign({}, a, b);
const defaults = (def) => {
    if (!def || typeof def !== 'object' || !Object.keys(def).length) {
        return minimatch;
    }
    const orig = minimatch;
    const m = (p, pattern, options = {}) => orig(p, pattern, ext(def, options));
    return Object.assign(m, {
        Minimatch: class Minimatch extends orig.Minimatch {
            constructor(pattern, options = {}) {
                super(pattern, ext(def, options));
            }
            static defaults(options) {
                return orig.defaults(ext(def, options)).Minimatch;
            }
        },
        AST: class AST extends orig.AST {
            /* c8 ignore start */
            constructor(type, parent, options = {}) {
                super(type, parent, ext(def, options));
            }
            /* c8 ignore stop */
            static fromGlob(pattern, options = {}) {
                return orig.AST.fromGlob(pattern, ext(def, options));
            }
        },
        unescape: (s, options = {}) => orig.unescape(s, ext(def, options)),
        escape: (s, options = {}) => orig.escape(s, ext(def, options)),
        filter: (pattern, options = {}) => orig.filter(pattern, ext(def, options)),
        defaults: (options) => orig.defaults(ext(def, options)),
        makeRe: (pattern, options = {}) => orig.makeRe(pattern, ext(def, options)),
        braceExpand: (pattern, options = {}) => orig.braceExpand(pattern, ext(def, options)),
        match: (list, pattern, options = {}) => orig.match(list, pattern, ext(def, options)),
        sep: orig.sep,
        GLOBSTAR: GLOBSTAR,
    });
};
minimatch.defaults = defaults;
// Brace expansion:
// a{b,c}d -> abd acd
// a{b,}c -> abc ac
// a{0..3}d -> a0d a1d a2d a3d
// a{b,c{d,e}f}g -> abg acdfg acefg
// a{b,c}d{e,f}g -> abdeg acdeg abdeg abdfg
//
// Invalid sets are not expanded.
// a{2..}b -> a{2..}b
// a{b}c -> a{b}c
const braceExpand = (pattern, options = {}) => {
    assertValidPattern(pattern);
    // Thanks to Yeting Li <https://github.com/yetingli> for
    // improving this regexp to avoid a ReDOS vulnerability.
    if (options.nobrace || !/\{(?:(?!\{).)*\}/.test(pattern)) {
        // shortcut. no need to expand.
        return [pattern];
    }
    return expand(pattern, { max: options.braceExpandMax });
};
minimatch.braceExpand = braceExpand;
// parse a component of the expanded set.
// At this point, no pattern may contain "/" in it
// so we're going to return a 2d array, where each entry is the full
// pattern, split on '/', and then turned into a regular expression.
// A regexp is made at the end which joins each array with an
// escaped /, and another full one which joins each regexp with |.
//
// Following the lead of Bash 4.1, note that "**" only has special meaning
// when it is the *only* thing in a path portion.  Otherwise, any series
// of * is equivalent to a single *.  Globstar behavior is enabled by
// default, and can be disabled by setting options.noglobstar.
const makeRe = (pattern, options = {}) => new Minimatch(pattern, options).makeRe();
minimatch.makeRe = makeRe;
const match = (list, pattern, options = {}) => {
    const mm = new Minimatch(pattern, options);
    list = list.filter(f => mm.match(f));
    if (mm.options.nonull && !list.length) {
        list.push(pattern);
    }
    return list;
};
minimatch.match = match;
// replace stuff like \* with *
const globMagic = /[?*]|[+@!]\(.*?\)|\[|\]/;
const esm_regExpEscape = (s) => s.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, '\\$&');
class Minimatch {
    options;
    set;
    pattern;
    windowsPathsNoEscape;
    nonegate;
    negate;
    comment;
    empty;
    preserveMultipleSlashes;
    partial;
    globSet;
    globParts;
    nocase;
    isWindows;
    platform;
    windowsNoMagicRoot;
    maxGlobstarRecursion;
    regexp;
    constructor(pattern, options = {}) {
        assertValidPattern(pattern);
        options = options || {};
        this.options = options;
        this.maxGlobstarRecursion = options.maxGlobstarRecursion ?? 200;
        this.pattern = pattern;
        this.platform = options.platform || defaultPlatform;
        this.isWindows = this.platform === 'win32';
        // avoid the annoying deprecation flag lol
        const awe = ('allowWindow' + 'sEscape');
        this.windowsPathsNoEscape =
            !!options.windowsPathsNoEscape || options[awe] === false;
        if (this.windowsPathsNoEscape) {
            this.pattern = this.pattern.replace(/\\/g, '/');
        }
        this.preserveMultipleSlashes = !!options.preserveMultipleSlashes;
        this.regexp = null;
        this.negate = false;
        this.nonegate = !!options.nonegate;
        this.comment = false;
        this.empty = false;
        this.partial = !!options.partial;
        this.nocase = !!this.options.nocase;
        this.windowsNoMagicRoot =
            options.windowsNoMagicRoot !== undefined ?
                options.windowsNoMagicRoot
                : !!(this.isWindows && this.nocase);
        this.globSet = [];
        this.globParts = [];
        this.set = [];
        // make the set of regexps etc.
        this.make();
    }
    hasMagic() {
        if (this.options.magicalBraces && this.set.length > 1) {
            return true;
        }
        for (const pattern of this.set) {
            for (const part of pattern) {
                if (typeof part !== 'string')
                    return true;
            }
        }
        return false;
    }
    debug(..._) { }
    make() {
        const pattern = this.pattern;
        const options = this.options;
        // empty patterns and comments match nothing.
        if (!options.nocomment && pattern.charAt(0) === '#') {
            this.comment = true;
            return;
        }
        if (!pattern) {
            this.empty = true;
            return;
        }
        // step 1: figure out negation, etc.
        this.parseNegate();
        // step 2: expand braces
        this.globSet = [...new Set(this.braceExpand())];
        if (options.debug) {
            //oxlint-disable-next-line no-console
            this.debug = (...args) => console.error(...args);
        }
        this.debug(this.pattern, this.globSet);
        // step 3: now we have a set, so turn each one into a series of
        // path-portion matching patterns.
        // These will be regexps, except in the case of "**", which is
        // set to the GLOBSTAR object for globstar behavior,
        // and will not contain any / characters
        //
        // First, we preprocess to make the glob pattern sets a bit simpler
        // and deduped.  There are some perf-killing patterns that can cause
        // problems with a glob walk, but we can simplify them down a bit.
        const rawGlobParts = this.globSet.map(s => this.slashSplit(s));
        this.globParts = this.preprocess(rawGlobParts);
        this.debug(this.pattern, this.globParts);
        // glob --> regexps
        let set = this.globParts.map((s, _, __) => {
            if (this.isWindows && this.windowsNoMagicRoot) {
                // check if it's a drive or unc path.
                const isUNC = s[0] === '' &&
                    s[1] === '' &&
                    (s[2] === '?' || !globMagic.test(s[2])) &&
                    !globMagic.test(s[3]);
                const isDrive = /^[a-z]:/i.test(s[0]);
                if (isUNC) {
                    return [
                        ...s.slice(0, 4),
                        ...s.slice(4).map(ss => this.parse(ss)),
                    ];
                }
                else if (isDrive) {
                    return [s[0], ...s.slice(1).map(ss => this.parse(ss))];
                }
            }
            return s.map(ss => this.parse(ss));
        });
        this.debug(this.pattern, set);
        // filter out everything that didn't compile properly.
        this.set = set.filter(s => s.indexOf(false) === -1);
        // do not treat the ? in UNC paths as magic
        if (this.isWindows) {
            for (let i = 0; i < this.set.length; i++) {
                const p = this.set[i];
                if (p[0] === '' &&
                    p[1] === '' &&
                    this.globParts[i][2] === '?' &&
                    typeof p[3] === 'string' &&
                    /^[a-z]:$/i.test(p[3])) {
                    p[2] = '?';
                }
            }
        }
        this.debug(this.pattern, this.set);
    }
    // various transforms to equivalent pattern sets that are
    // faster to process in a filesystem walk.  The goal is to
    // eliminate what we can, and push all ** patterns as far
    // to the right as possible, even if it increases the number
    // of patterns that we have to process.
    preprocess(globParts) {
        // if we're not in globstar mode, then turn ** into *
        if (this.options.noglobstar) {
            for (const partset of globParts) {
                for (let j = 0; j < partset.length; j++) {
                    if (partset[j] === '**') {
                        partset[j] = '*';
                    }
                }
            }
        }
        const { optimizationLevel = 1 } = this.options;
        if (optimizationLevel >= 2) {
            // aggressive optimization for the purpose of fs walking
            globParts = this.firstPhasePreProcess(globParts);
            globParts = this.secondPhasePreProcess(globParts);
        }
        else if (optimizationLevel >= 1) {
            // just basic optimizations to remove some .. parts
            globParts = this.levelOneOptimize(globParts);
        }
        else {
            // just collapse multiple ** portions into one
            globParts = this.adjascentGlobstarOptimize(globParts);
        }
        return globParts;
    }
    // just get rid of adjascent ** portions
    adjascentGlobstarOptimize(globParts) {
        return globParts.map(parts => {
            let gs = -1;
            while (-1 !== (gs = parts.indexOf('**', gs + 1))) {
                let i = gs;
                while (parts[i + 1] === '**') {
                    i++;
                }
                if (i !== gs) {
                    parts.splice(gs, i - gs);
                }
            }
            return parts;
        });
    }
    // get rid of adjascent ** and resolve .. portions
    levelOneOptimize(globParts) {
        return globParts.map(parts => {
            parts = parts.reduce((set, part) => {
                const prev = set[set.length - 1];
                if (part === '**' && prev === '**') {
                    return set;
                }
                if (part === '..') {
                    if (prev && prev !== '..' && prev !== '.' && prev !== '**') {
                        set.pop();
                        return set;
                    }
                }
                set.push(part);
                return set;
            }, []);
            return parts.length === 0 ? [''] : parts;
        });
    }
    levelTwoFileOptimize(parts) {
        if (!Array.isArray(parts)) {
            parts = this.slashSplit(parts);
        }
        let didSomething = false;
        do {
            didSomething = false;
            // <pre>/<e>/<rest> -> <pre>/<rest>
            if (!this.preserveMultipleSlashes) {
                for (let i = 1; i < parts.length - 1; i++) {
                    const p = parts[i];
                    // don't squeeze out UNC patterns
                    if (i === 1 && p === '' && parts[0] === '')
                        continue;
                    if (p === '.' || p === '') {
                        didSomething = true;
                        parts.splice(i, 1);
                        i--;
                    }
                }
                if (parts[0] === '.' &&
                    parts.length === 2 &&
                    (parts[1] === '.' || parts[1] === '')) {
                    didSomething = true;
                    parts.pop();
                }
            }
            // <pre>/<p>/../<rest> -> <pre>/<rest>
            let dd = 0;
            while (-1 !== (dd = parts.indexOf('..', dd + 1))) {
                const p = parts[dd - 1];
                if (p &&
                    p !== '.' &&
                    p !== '..' &&
                    p !== '**' &&
                    !(this.isWindows && /^[a-z]:$/i.test(p))) {
                    didSomething = true;
                    parts.splice(dd - 1, 2);
                    dd -= 2;
                }
            }
        } while (didSomething);
        return parts.length === 0 ? [''] : parts;
    }
    // First phase: single-pattern processing
    // <pre> is 1 or more portions
    // <rest> is 1 or more portions
    // <p> is any portion other than ., .., '', or **
    // <e> is . or ''
    //
    // **/.. is *brutal* for filesystem walking performance, because
    // it effectively resets the recursive walk each time it occurs,
    // and ** cannot be reduced out by a .. pattern part like a regexp
    // or most strings (other than .., ., and '') can be.
    //
    // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
    // <pre>/<e>/<rest> -> <pre>/<rest>
    // <pre>/<p>/../<rest> -> <pre>/<rest>
    // **/**/<rest> -> **/<rest>
    //
    // **/*/<rest> -> */**/<rest> <== not valid because ** doesn't follow
    // this WOULD be allowed if ** did follow symlinks, or * didn't
    firstPhasePreProcess(globParts) {
        let didSomething = false;
        do {
            didSomething = false;
            // <pre>/**/../<p>/<p>/<rest> -> {<pre>/../<p>/<p>/<rest>,<pre>/**/<p>/<p>/<rest>}
            for (let parts of globParts) {
                let gs = -1;
                while (-1 !== (gs = parts.indexOf('**', gs + 1))) {
                    let gss = gs;
                    while (parts[gss + 1] === '**') {
                        // <pre>/**/**/<rest> -> <pre>/**/<rest>
                        gss++;
                    }
                    // eg, if gs is 2 and gss is 4, that means we have 3 **
                    // parts, and can remove 2 of them.
                    if (gss > gs) {
                        parts.splice(gs + 1, gss - gs);
                    }
                    let next = parts[gs + 1];
                    const p = parts[gs + 2];
                    const p2 = parts[gs + 3];
                    if (next !== '..')
                        continue;
                    if (!p ||
                        p === '.' ||
                        p === '..' ||
                        !p2 ||
                        p2 === '.' ||
                        p2 === '..') {
                        continue;
                    }
                    didSomething = true;
                    // edit parts in place, and push the new one
                    parts.splice(gs, 1);
                    const other = parts.slice(0);
                    other[gs] = '**';
                    globParts.push(other);
                    gs--;
                }
                // <pre>/<e>/<rest> -> <pre>/<rest>
                if (!this.preserveMultipleSlashes) {
                    for (let i = 1; i < parts.length - 1; i++) {
                        const p = parts[i];
                        // don't squeeze out UNC patterns
                        if (i === 1 && p === '' && parts[0] === '')
                            continue;
                        if (p === '.' || p === '') {
                            didSomething = true;
                            parts.splice(i, 1);
                            i--;
                        }
                    }
                    if (parts[0] === '.' &&
                        parts.length === 2 &&
                        (parts[1] === '.' || parts[1] === '')) {
                        didSomething = true;
                        parts.pop();
                    }
                }
                // <pre>/<p>/../<rest> -> <pre>/<rest>
                let dd = 0;
                while (-1 !== (dd = parts.indexOf('..', dd + 1))) {
                    const p = parts[dd - 1];
                    if (p && p !== '.' && p !== '..' && p !== '**') {
                        didSomething = true;
                        const needDot = dd === 1 && parts[dd + 1] === '**';
                        const splin = needDot ? ['.'] : [];
                        parts.splice(dd - 1, 2, ...splin);
                        if (parts.length === 0)
                            parts.push('');
                        dd -= 2;
                    }
                }
            }
        } while (didSomething);
        return globParts;
    }
    // second phase: multi-pattern dedupes
    // {<pre>/*/<rest>,<pre>/<p>/<rest>} -> <pre>/*/<rest>
    // {<pre>/<rest>,<pre>/<rest>} -> <pre>/<rest>
    // {<pre>/**/<rest>,<pre>/<rest>} -> <pre>/**/<rest>
    //
    // {<pre>/**/<rest>,<pre>/**/<p>/<rest>} -> <pre>/**/<rest>
    // ^-- not valid because ** doens't follow symlinks
    secondPhasePreProcess(globParts) {
        for (let i = 0; i < globParts.length - 1; i++) {
            for (let j = i + 1; j < globParts.length; j++) {
                const matched = this.partsMatch(globParts[i], globParts[j], !this.preserveMultipleSlashes);
                if (matched) {
                    globParts[i] = [];
                    globParts[j] = matched;
                    break;
                }
            }
        }
        return globParts.filter(gs => gs.length);
    }
    partsMatch(a, b, emptyGSMatch = false) {
        let ai = 0;
        let bi = 0;
        let result = [];
        let which = '';
        while (ai < a.length && bi < b.length) {
            if (a[ai] === b[bi]) {
                result.push(which === 'b' ? b[bi] : a[ai]);
                ai++;
                bi++;
            }
            else if (emptyGSMatch && a[ai] === '**' && b[bi] === a[ai + 1]) {
                result.push(a[ai]);
                ai++;
            }
            else if (emptyGSMatch && b[bi] === '**' && a[ai] === b[bi + 1]) {
                result.push(b[bi]);
                bi++;
            }
            else if (a[ai] === '*' &&
                b[bi] &&
                (this.options.dot || !b[bi].startsWith('.')) &&
                b[bi] !== '**') {
                if (which === 'b')
                    return false;
                which = 'a';
                result.push(a[ai]);
                ai++;
                bi++;
            }
            else if (b[bi] === '*' &&
                a[ai] &&
                (this.options.dot || !a[ai].startsWith('.')) &&
                a[ai] !== '**') {
                if (which === 'a')
                    return false;
                which = 'b';
                result.push(b[bi]);
                ai++;
                bi++;
            }
            else {
                return false;
            }
        }
        // if we fall out of the loop, it means they two are identical
        // as long as their lengths match
        return a.length === b.length && result;
    }
    parseNegate() {
        if (this.nonegate)
            return;
        const pattern = this.pattern;
        let negate = false;
        let negateOffset = 0;
        for (let i = 0; i < pattern.length && pattern.charAt(i) === '!'; i++) {
            negate = !negate;
            negateOffset++;
        }
        if (negateOffset)
            this.pattern = pattern.slice(negateOffset);
        this.negate = negate;
    }
    // set partial to true to test if, for example,
    // "/a/b" matches the start of "/*/b/*/d"
    // Partial means, if you run out of file before you run
    // out of pattern, then that's fine, as long as all
    // the parts match.
    matchOne(file, pattern, partial = false) {
        let fileStartIndex = 0;
        let patternStartIndex = 0;
        // UNC paths like //?/X:/... can match X:/... and vice versa
        // Drive letters in absolute drive or unc paths are always compared
        // case-insensitively.
        if (this.isWindows) {
            const fileDrive = typeof file[0] === 'string' && /^[a-z]:$/i.test(file[0]);
            const fileUNC = !fileDrive &&
                file[0] === '' &&
                file[1] === '' &&
                file[2] === '?' &&
                /^[a-z]:$/i.test(file[3]);
            const patternDrive = typeof pattern[0] === 'string' && /^[a-z]:$/i.test(pattern[0]);
            const patternUNC = !patternDrive &&
                pattern[0] === '' &&
                pattern[1] === '' &&
                pattern[2] === '?' &&
                typeof pattern[3] === 'string' &&
                /^[a-z]:$/i.test(pattern[3]);
            const fdi = fileUNC ? 3
                : fileDrive ? 0
                    : undefined;
            const pdi = patternUNC ? 3
                : patternDrive ? 0
                    : undefined;
            if (typeof fdi === 'number' && typeof pdi === 'number') {
                const [fd, pd] = [
                    file[fdi],
                    pattern[pdi],
                ];
                // start matching at the drive letter index of each
                if (fd.toLowerCase() === pd.toLowerCase()) {
                    pattern[pdi] = fd;
                    patternStartIndex = pdi;
                    fileStartIndex = fdi;
                }
            }
        }
        // resolve and reduce . and .. portions in the file as well.
        // don't need to do the second phase, because it's only one string[]
        const { optimizationLevel = 1 } = this.options;
        if (optimizationLevel >= 2) {
            file = this.levelTwoFileOptimize(file);
        }
        if (pattern.includes(GLOBSTAR)) {
            return this.#matchGlobstar(file, pattern, partial, fileStartIndex, patternStartIndex);
        }
        return this.#matchOne(file, pattern, partial, fileStartIndex, patternStartIndex);
    }
    #matchGlobstar(file, pattern, partial, fileIndex, patternIndex) {
        // split the pattern into head, tail, and middle of ** delimited parts
        const firstgs = pattern.indexOf(GLOBSTAR, patternIndex);
        const lastgs = pattern.lastIndexOf(GLOBSTAR);
        // split the pattern up into globstar-delimited sections
        // the tail has to be at the end, and the others just have
        // to be found in order from the head.
        const [head, body, tail] = partial ?
            [
                pattern.slice(patternIndex, firstgs),
                pattern.slice(firstgs + 1),
                [],
            ]
            : [
                pattern.slice(patternIndex, firstgs),
                pattern.slice(firstgs + 1, lastgs),
                pattern.slice(lastgs + 1),
            ];
        // check the head, from the current file/pattern index.
        if (head.length) {
            const fileHead = file.slice(fileIndex, fileIndex + head.length);
            if (!this.#matchOne(fileHead, head, partial, 0, 0)) {
                return false;
            }
            fileIndex += head.length;
            patternIndex += head.length;
        }
        // now we know the head matches!
        // if the last portion is not empty, it MUST match the end
        // check the tail
        let fileTailMatch = 0;
        if (tail.length) {
            // if head + tail > file, then we cannot possibly match
            if (tail.length + fileIndex > file.length)
                return false;
            // try to match the tail
            let tailStart = file.length - tail.length;
            if (this.#matchOne(file, tail, partial, tailStart, 0)) {
                fileTailMatch = tail.length;
            }
            else {
                // affordance for stuff like a/**/* matching a/b/
                // if the last file portion is '', and there's more to the pattern
                // then try without the '' bit.
                if (file[file.length - 1] !== '' ||
                    fileIndex + tail.length === file.length) {
                    return false;
                }
                tailStart--;
                if (!this.#matchOne(file, tail, partial, tailStart, 0)) {
                    return false;
                }
                fileTailMatch = tail.length + 1;
            }
        }
        // now we know the tail matches!
        // the middle is zero or more portions wrapped in **, possibly
        // containing more ** sections.
        // so a/**/b/**/c/**/d has become **/b/**/c/**
        // if it's empty, it means a/**/b, just verify we have no bad dots
        // if there's no tail, so it ends on /**, then we must have *something*
        // after the head, or it's not a matc
        if (!body.length) {
            let sawSome = !!fileTailMatch;
            for (let i = fileIndex; i < file.length - fileTailMatch; i++) {
                const f = String(file[i]);
                sawSome = true;
                if (f === '.' ||
                    f === '..' ||
                    (!this.options.dot && f.startsWith('.'))) {
                    return false;
                }
            }
            // in partial mode, we just need to get past all file parts
            return partial || sawSome;
        }
        // now we know that there's one or more body sections, which can
        // be matched anywhere from the 0 index (because the head was pruned)
        // through to the length-fileTailMatch index.
        // split the body up into sections, and note the minimum index it can
        // be found at (start with the length of all previous segments)
        // [section, before, after]
        const bodySegments = [[[], 0]];
        let currentBody = bodySegments[0];
        let nonGsParts = 0;
        const nonGsPartsSums = [0];
        for (const b of body) {
            if (b === GLOBSTAR) {
                nonGsPartsSums.push(nonGsParts);
                currentBody = [[], 0];
                bodySegments.push(currentBody);
            }
            else {
                currentBody[0].push(b);
                nonGsParts++;
            }
        }
        let i = bodySegments.length - 1;
        const fileLength = file.length - fileTailMatch;
        for (const b of bodySegments) {
            b[1] = fileLength - (nonGsPartsSums[i--] + b[0].length);
        }
        return !!this.#matchGlobStarBodySections(file, bodySegments, fileIndex, 0, partial, 0, !!fileTailMatch);
    }
    // return false for "nope, not matching"
    // return null for "not matching, cannot keep trying"
    #matchGlobStarBodySections(file, 
    // pattern section, last possible position for it
    bodySegments, fileIndex, bodyIndex, partial, globStarDepth, sawTail) {
        // take the first body segment, and walk from fileIndex to its "after"
        // value at the end
        // If it doesn't match at that position, we increment, until we hit
        // that final possible position, and give up.
        // If it does match, then advance and try to rest.
        // If any of them fail we keep walking forward.
        // this is still a bit recursively painful, but it's more constrained
        // than previous implementations, because we never test something that
        // can't possibly be a valid matching condition.
        const bs = bodySegments[bodyIndex];
        if (!bs) {
            // just make sure that there's no bad dots
            for (let i = fileIndex; i < file.length; i++) {
                sawTail = true;
                const f = file[i];
                if (f === '.' ||
                    f === '..' ||
                    (!this.options.dot && f.startsWith('.'))) {
                    return false;
                }
            }
            return sawTail;
        }
        // have a non-globstar body section to test
        const [body, after] = bs;
        while (fileIndex <= after) {
            const m = this.#matchOne(file.slice(0, fileIndex + body.length), body, partial, fileIndex, 0);
            // if limit exceeded, no match. intentional false negative,
            // acceptable break in correctness for security.
            if (m && globStarDepth < this.maxGlobstarRecursion) {
                // match! see if the rest match. if so, we're done!
                const sub = this.#matchGlobStarBodySections(file, bodySegments, fileIndex + body.length, bodyIndex + 1, partial, globStarDepth + 1, sawTail);
                if (sub !== false) {
                    return sub;
                }
            }
            const f = file[fileIndex];
            if (f === '.' ||
                f === '..' ||
                (!this.options.dot && f.startsWith('.'))) {
                return false;
            }
            fileIndex++;
        }
        // walked off. no point continuing
        return partial || null;
    }
    #matchOne(file, pattern, partial, fileIndex, patternIndex) {
        let fi;
        let pi;
        let pl;
        let fl;
        for (fi = fileIndex,
            pi = patternIndex,
            fl = file.length,
            pl = pattern.length; fi < fl && pi < pl; fi++, pi++) {
            this.debug('matchOne loop');
            let p = pattern[pi];
            let f = file[fi];
            this.debug(pattern, p, f);
            // should be impossible.
            // some invalid regexp stuff in the set.
            /* c8 ignore start */
            if (p === false || p === GLOBSTAR) {
                return false;
            }
            /* c8 ignore stop */
            // something other than **
            // non-magic patterns just have to match exactly
            // patterns with magic have been turned into regexps.
            let hit;
            if (typeof p === 'string') {
                hit = f === p;
                this.debug('string match', p, f, hit);
            }
            else {
                hit = p.test(f);
                this.debug('pattern match', p, f, hit);
            }
            if (!hit)
                return false;
        }
        // Note: ending in / means that we'll get a final ""
        // at the end of the pattern.  This can only match a
        // corresponding "" at the end of the file.
        // If the file ends in /, then it can only match a
        // a pattern that ends in /, unless the pattern just
        // doesn't have any more for it. But, a/b/ should *not*
        // match "a/b/*", even though "" matches against the
        // [^/]*? pattern, except in partial mode, where it might
        // simply not be reached yet.
        // However, a/b/ should still satisfy a/*
        // now either we fell off the end of the pattern, or we're done.
        if (fi === fl && pi === pl) {
            // ran out of pattern and filename at the same time.
            // an exact hit!
            return true;
        }
        else if (fi === fl) {
            // ran out of file, but still had pattern left.
            // this is ok if we're doing the match as part of
            // a glob fs traversal.
            return partial;
        }
        else if (pi === pl) {
            // ran out of pattern, still have file left.
            // this is only acceptable if we're on the very last
            // empty segment of a file with a trailing slash.
            // a/* should match a/b/
            return fi === fl - 1 && file[fi] === '';
            /* c8 ignore start */
        }
        else {
            // should be unreachable.
            throw new Error('wtf?');
        }
        /* c8 ignore stop */
    }
    braceExpand() {
        return braceExpand(this.pattern, this.options);
    }
    parse(pattern) {
        assertValidPattern(pattern);
        const options = this.options;
        // shortcuts
        if (pattern === '**')
            return GLOBSTAR;
        if (pattern === '')
            return '';
        // far and away, the most common glob pattern parts are
        // *, *.*, and *.<ext>  Add a fast check method for those.
        let m;
        let fastTest = null;
        if ((m = pattern.match(starRE))) {
            fastTest = options.dot ? starTestDot : starTest;
        }
        else if ((m = pattern.match(starDotExtRE))) {
            fastTest = (options.nocase ?
                options.dot ?
                    starDotExtTestNocaseDot
                    : starDotExtTestNocase
                : options.dot ? starDotExtTestDot
                    : starDotExtTest)(m[1]);
        }
        else if ((m = pattern.match(qmarksRE))) {
            fastTest = (options.nocase ?
                options.dot ?
                    qmarksTestNocaseDot
                    : qmarksTestNocase
                : options.dot ? qmarksTestDot
                    : qmarksTest)(m);
        }
        else if ((m = pattern.match(starDotStarRE))) {
            fastTest = options.dot ? starDotStarTestDot : starDotStarTest;
        }
        else if ((m = pattern.match(dotStarRE))) {
            fastTest = dotStarTest;
        }
        const re = AST.fromGlob(pattern, this.options).toMMPattern();
        if (fastTest && typeof re === 'object') {
            // Avoids overriding in frozen environments
            Reflect.defineProperty(re, 'test', { value: fastTest });
        }
        return re;
    }
    makeRe() {
        if (this.regexp || this.regexp === false)
            return this.regexp;
        // at this point, this.set is a 2d array of partial
        // pattern strings, or "**".
        //
        // It's better to use .match().  This function shouldn't
        // be used, really, but it's pretty convenient sometimes,
        // when you just want to work with a regex.
        const set = this.set;
        if (!set.length) {
            this.regexp = false;
            return this.regexp;
        }
        const options = this.options;
        const twoStar = options.noglobstar ? esm_star
            : options.dot ? twoStarDot
                : twoStarNoDot;
        const flags = new Set(options.nocase ? ['i'] : []);
        // regexpify non-globstar patterns
        // if ** is only item, then we just do one twoStar
        // if ** is first, and there are more, prepend (\/|twoStar\/)? to next
        // if ** is last, append (\/twoStar|) to previous
        // if ** is in the middle, append (\/|\/twoStar\/) to previous
        // then filter out GLOBSTAR symbols
        let re = set
            .map(pattern => {
            const pp = pattern.map(p => {
                if (p instanceof RegExp) {
                    for (const f of p.flags.split(''))
                        flags.add(f);
                }
                return (typeof p === 'string' ? esm_regExpEscape(p)
                    : p === GLOBSTAR ? GLOBSTAR
                        : p._src);
            });
            pp.forEach((p, i) => {
                const next = pp[i + 1];
                const prev = pp[i - 1];
                if (p !== GLOBSTAR || prev === GLOBSTAR) {
                    return;
                }
                if (prev === undefined) {
                    if (next !== undefined && next !== GLOBSTAR) {
                        pp[i + 1] = '(?:\\/|' + twoStar + '\\/)?' + next;
                    }
                    else {
                        pp[i] = twoStar;
                    }
                }
                else if (next === undefined) {
                    pp[i - 1] = prev + '(?:\\/|\\/' + twoStar + ')?';
                }
                else if (next !== GLOBSTAR) {
                    pp[i - 1] = prev + '(?:\\/|\\/' + twoStar + '\\/)' + next;
                    pp[i + 1] = GLOBSTAR;
                }
            });
            const filtered = pp.filter(p => p !== GLOBSTAR);
            // For partial matches, we need to make the pattern match
            // any prefix of the full path. We do this by generating
            // alternative patterns that match progressively longer prefixes.
            if (this.partial && filtered.length >= 1) {
                const prefixes = [];
                for (let i = 1; i <= filtered.length; i++) {
                    prefixes.push(filtered.slice(0, i).join('/'));
                }
                return '(?:' + prefixes.join('|') + ')';
            }
            return filtered.join('/');
        })
            .join('|');
        // need to wrap in parens if we had more than one thing with |,
        // otherwise only the first will be anchored to ^ and the last to $
        const [open, close] = set.length > 1 ? ['(?:', ')'] : ['', ''];
        // must match entire pattern
        // ending in a * or ** will make it less strict.
        re = '^' + open + re + close + '$';
        // In partial mode, '/' should always match as it's a valid prefix for any pattern
        if (this.partial) {
            re = '^(?:\\/|' + open + re.slice(1, -1) + close + ')$';
        }
        // can match anything, as long as it's not this.
        if (this.negate)
            re = '^(?!' + re + ').+$';
        try {
            this.regexp = new RegExp(re, [...flags].join(''));
            /* c8 ignore start */
        }
        catch {
            // should be impossible
            this.regexp = false;
        }
        /* c8 ignore stop */
        return this.regexp;
    }
    slashSplit(p) {
        // if p starts with // on windows, we preserve that
        // so that UNC paths aren't broken.  Otherwise, any number of
        // / characters are coalesced into one, unless
        // preserveMultipleSlashes is set to true.
        if (this.preserveMultipleSlashes) {
            return p.split('/');
        }
        else if (this.isWindows && /^\/\/[^/]+/.test(p)) {
            // add an extra '' for the one we lose
            return ['', ...p.split(/\/+/)];
        }
        else {
            return p.split(/\/+/);
        }
    }
    match(f, partial = this.partial) {
        this.debug('match', f, this.pattern);
        // short-circuit in the case of busted things.
        // comments, etc.
        if (this.comment) {
            return false;
        }
        if (this.empty) {
            return f === '';
        }
        if (f === '/' && partial) {
            return true;
        }
        const options = this.options;
        // windows: need to use /, not \
        if (this.isWindows) {
            f = f.split('\\').join('/');
        }
        // treat the test path as a set of pathparts.
        const ff = this.slashSplit(f);
        this.debug(this.pattern, 'split', ff);
        // just ONE of the pattern sets in this.set needs to match
        // in order for it to be valid.  If negating, then just one
        // match means that we have failed.
        // Either way, return on the first hit.
        const set = this.set;
        this.debug(this.pattern, 'set', set);
        // Find the basename of the path by looking for the last non-empty segment
        let filename = ff[ff.length - 1];
        if (!filename) {
            for (let i = ff.length - 2; !filename && i >= 0; i--) {
                filename = ff[i];
            }
        }
        for (const pattern of set) {
            let file = ff;
            if (options.matchBase && pattern.length === 1) {
                file = [filename];
            }
            const hit = this.matchOne(file, pattern, partial);
            if (hit) {
                if (options.flipNegate) {
                    return true;
                }
                return !this.negate;
            }
        }
        // didn't get any hits.  this is success if it's a negative
        // pattern, failure otherwise.
        if (options.flipNegate) {
            return false;
        }
        return this.negate;
    }
    static defaults(def) {
        return minimatch.defaults(def).Minimatch;
    }
}
/* c8 ignore start */



/* c8 ignore stop */
minimatch.AST = AST;
minimatch.Minimatch = Minimatch;
minimatch.escape = escape_escape;
minimatch.unescape = unescape_unescape;
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-path.js



const internal_path_IS_WINDOWS = process.platform === 'win32';
/**
 * Helper class for parsing paths into segments
 */
class Path {
    /**
     * Constructs a Path
     * @param itemPath Path or array of segments
     */
    constructor(itemPath) {
        this.segments = [];
        // String
        if (typeof itemPath === 'string') {
            external_assert_(itemPath, `Parameter 'itemPath' must not be empty`);
            // Normalize slashes and trim unnecessary trailing slash
            itemPath = safeTrimTrailingSeparator(itemPath);
            // Not rooted
            if (!hasRoot(itemPath)) {
                this.segments = itemPath.split(external_path_.sep);
            }
            // Rooted
            else {
                // Add all segments, while not at the root
                let remaining = itemPath;
                let dir = dirname(remaining);
                while (dir !== remaining) {
                    // Add the segment
                    const basename = external_path_.basename(remaining);
                    this.segments.unshift(basename);
                    // Truncate the last segment
                    remaining = dir;
                    dir = dirname(remaining);
                }
                // Remainder is the root
                this.segments.unshift(remaining);
            }
        }
        // Array
        else {
            // Must not be empty
            external_assert_(itemPath.length > 0, `Parameter 'itemPath' must not be an empty array`);
            // Each segment
            for (let i = 0; i < itemPath.length; i++) {
                let segment = itemPath[i];
                // Must not be empty
                external_assert_(segment, `Parameter 'itemPath' must not contain any empty segments`);
                // Normalize slashes
                segment = normalizeSeparators(itemPath[i]);
                // Root segment
                if (i === 0 && hasRoot(segment)) {
                    segment = safeTrimTrailingSeparator(segment);
                    external_assert_(segment === dirname(segment), `Parameter 'itemPath' root segment contains information for multiple segments`);
                    this.segments.push(segment);
                }
                // All other segments
                else {
                    // Must not contain slash
                    external_assert_(!segment.includes(external_path_.sep), `Parameter 'itemPath' contains unexpected path separators`);
                    this.segments.push(segment);
                }
            }
        }
    }
    /**
     * Converts the path to it's string representation
     */
    toString() {
        // First segment
        let result = this.segments[0];
        // All others
        let skipSlash = result.endsWith(external_path_.sep) || (internal_path_IS_WINDOWS && /^[A-Z]:$/i.test(result));
        for (let i = 1; i < this.segments.length; i++) {
            if (skipSlash) {
                skipSlash = false;
            }
            else {
                result += external_path_.sep;
            }
            result += this.segments[i];
        }
        return result;
    }
}
//# sourceMappingURL=internal-path.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-pattern.js







const internal_pattern_IS_WINDOWS = process.platform === 'win32';
class Pattern {
    constructor(patternOrNegate, isImplicitPattern = false, segments, homedir) {
        /**
         * Indicates whether matches should be excluded from the result set
         */
        this.negate = false;
        // Pattern overload
        let pattern;
        if (typeof patternOrNegate === 'string') {
            pattern = patternOrNegate.trim();
        }
        // Segments overload
        else {
            // Convert to pattern
            segments = segments || [];
            external_assert_(segments.length, `Parameter 'segments' must not empty`);
            const root = Pattern.getLiteral(segments[0]);
            external_assert_(root && hasAbsoluteRoot(root), `Parameter 'segments' first element must be a root path`);
            pattern = new Path(segments).toString().trim();
            if (patternOrNegate) {
                pattern = `!${pattern}`;
            }
        }
        // Negate
        while (pattern.startsWith('!')) {
            this.negate = !this.negate;
            pattern = pattern.substr(1).trim();
        }
        // Normalize slashes and ensures absolute root
        pattern = Pattern.fixupPattern(pattern, homedir);
        // Segments
        this.segments = new Path(pattern).segments;
        // Trailing slash indicates the pattern should only match directories, not regular files
        this.trailingSeparator = normalizeSeparators(pattern)
            .endsWith(external_path_.sep);
        pattern = safeTrimTrailingSeparator(pattern);
        // Search path (literal path prior to the first glob segment)
        let foundGlob = false;
        const searchSegments = this.segments
            .map(x => Pattern.getLiteral(x))
            .filter(x => !foundGlob && !(foundGlob = x === ''));
        this.searchPath = new Path(searchSegments).toString();
        // Root RegExp (required when determining partial match)
        this.rootRegExp = new RegExp(Pattern.regExpEscape(searchSegments[0]), internal_pattern_IS_WINDOWS ? 'i' : '');
        this.isImplicitPattern = isImplicitPattern;
        // Create minimatch
        const minimatchOptions = {
            dot: true,
            nobrace: true,
            nocase: internal_pattern_IS_WINDOWS,
            nocomment: true,
            noext: true,
            nonegate: true
        };
        pattern = internal_pattern_IS_WINDOWS ? pattern.replace(/\\/g, '/') : pattern;
        this.minimatch = new Minimatch(pattern, minimatchOptions);
    }
    /**
     * Matches the pattern against the specified path
     */
    match(itemPath) {
        // Last segment is globstar?
        if (this.segments[this.segments.length - 1] === '**') {
            // Normalize slashes
            itemPath = normalizeSeparators(itemPath);
            // Append a trailing slash. Otherwise Minimatch will not match the directory immediately
            // preceding the globstar. For example, given the pattern `/foo/**`, Minimatch returns
            // false for `/foo` but returns true for `/foo/`. Append a trailing slash to handle that quirk.
            if (!itemPath.endsWith(external_path_.sep) && this.isImplicitPattern === false) {
                // Note, this is safe because the constructor ensures the pattern has an absolute root.
                // For example, formats like C: and C:foo on Windows are resolved to an absolute root.
                itemPath = `${itemPath}${external_path_.sep}`;
            }
        }
        else {
            // Normalize slashes and trim unnecessary trailing slash
            itemPath = safeTrimTrailingSeparator(itemPath);
        }
        // Match
        if (this.minimatch.match(itemPath)) {
            return this.trailingSeparator ? MatchKind.Directory : MatchKind.All;
        }
        return MatchKind.None;
    }
    /**
     * Indicates whether the pattern may match descendants of the specified path
     */
    partialMatch(itemPath) {
        // Normalize slashes and trim unnecessary trailing slash
        itemPath = safeTrimTrailingSeparator(itemPath);
        // matchOne does not handle root path correctly
        if (dirname(itemPath) === itemPath) {
            return this.rootRegExp.test(itemPath);
        }
        return this.minimatch.matchOne(itemPath.split(internal_pattern_IS_WINDOWS ? /\\+/ : /\/+/), this.minimatch.set[0], true);
    }
    /**
     * Escapes glob patterns within a path
     */
    static globEscape(s) {
        return (internal_pattern_IS_WINDOWS ? s : s.replace(/\\/g, '\\\\')) // escape '\' on Linux/macOS
            .replace(/(\[)(?=[^/]+\])/g, '[[]') // escape '[' when ']' follows within the path segment
            .replace(/\?/g, '[?]') // escape '?'
            .replace(/\*/g, '[*]'); // escape '*'
    }
    /**
     * Normalizes slashes and ensures absolute root
     */
    static fixupPattern(pattern, homedir) {
        // Empty
        external_assert_(pattern, 'pattern cannot be empty');
        // Must not contain `.` segment, unless first segment
        // Must not contain `..` segment
        const literalSegments = new Path(pattern).segments.map(x => Pattern.getLiteral(x));
        external_assert_(literalSegments.every((x, i) => (x !== '.' || i === 0) && x !== '..'), `Invalid pattern '${pattern}'. Relative pathing '.' and '..' is not allowed.`);
        // Must not contain globs in root, e.g. Windows UNC path \\foo\b*r
        external_assert_(!hasRoot(pattern) || literalSegments[0], `Invalid pattern '${pattern}'. Root segment must not contain globs.`);
        // Normalize slashes
        pattern = normalizeSeparators(pattern);
        // Replace leading `.` segment
        if (pattern === '.' || pattern.startsWith(`.${external_path_.sep}`)) {
            pattern = Pattern.globEscape(process.cwd()) + pattern.substr(1);
        }
        // Replace leading `~` segment
        else if (pattern === '~' || pattern.startsWith(`~${external_path_.sep}`)) {
            homedir = homedir || external_os_.homedir();
            external_assert_(homedir, 'Unable to determine HOME directory');
            external_assert_(hasAbsoluteRoot(homedir), `Expected HOME directory to be a rooted path. Actual '${homedir}'`);
            pattern = Pattern.globEscape(homedir) + pattern.substr(1);
        }
        // Replace relative drive root, e.g. pattern is C: or C:foo
        else if (internal_pattern_IS_WINDOWS &&
            (pattern.match(/^[A-Z]:$/i) || pattern.match(/^[A-Z]:[^\\]/i))) {
            let root = ensureAbsoluteRoot('C:\\dummy-root', pattern.substr(0, 2));
            if (pattern.length > 2 && !root.endsWith('\\')) {
                root += '\\';
            }
            pattern = Pattern.globEscape(root) + pattern.substr(2);
        }
        // Replace relative root, e.g. pattern is \ or \foo
        else if (internal_pattern_IS_WINDOWS && (pattern === '\\' || pattern.match(/^\\[^\\]/))) {
            let root = ensureAbsoluteRoot('C:\\dummy-root', '\\');
            if (!root.endsWith('\\')) {
                root += '\\';
            }
            pattern = Pattern.globEscape(root) + pattern.substr(1);
        }
        // Otherwise ensure absolute root
        else {
            pattern = ensureAbsoluteRoot(Pattern.globEscape(process.cwd()), pattern);
        }
        return normalizeSeparators(pattern);
    }
    /**
     * Attempts to unescape a pattern segment to create a literal path segment.
     * Otherwise returns empty string.
     */
    static getLiteral(segment) {
        let literal = '';
        for (let i = 0; i < segment.length; i++) {
            const c = segment[i];
            // Escape
            if (c === '\\' && !internal_pattern_IS_WINDOWS && i + 1 < segment.length) {
                literal += segment[++i];
                continue;
            }
            // Wildcard
            else if (c === '*' || c === '?') {
                return '';
            }
            // Character set
            else if (c === '[' && i + 1 < segment.length) {
                let set = '';
                let closed = -1;
                for (let i2 = i + 1; i2 < segment.length; i2++) {
                    const c2 = segment[i2];
                    // Escape
                    if (c2 === '\\' && !internal_pattern_IS_WINDOWS && i2 + 1 < segment.length) {
                        set += segment[++i2];
                        continue;
                    }
                    // Closed
                    else if (c2 === ']') {
                        closed = i2;
                        break;
                    }
                    // Otherwise
                    else {
                        set += c2;
                    }
                }
                // Closed?
                if (closed >= 0) {
                    // Cannot convert
                    if (set.length > 1) {
                        return '';
                    }
                    // Convert to literal
                    if (set) {
                        literal += set;
                        i = closed;
                        continue;
                    }
                }
                // Otherwise fall thru
            }
            // Append
            literal += c;
        }
        return literal;
    }
    /**
     * Escapes regexp special characters
     * https://javascript.info/regexp-escaping
     */
    static regExpEscape(s) {
        return s.replace(/[[\\^$.|?*+()]/g, '\\$&');
    }
}
//# sourceMappingURL=internal-pattern.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-search-state.js
class SearchState {
    constructor(path, level) {
        this.path = path;
        this.level = level;
    }
}
//# sourceMappingURL=internal-search-state.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-globber.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __asyncValues = (undefined && undefined.__asyncValues) || function (o) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var m = o[Symbol.asyncIterator], i;
    return m ? m.call(o) : (o = typeof __values === "function" ? __values(o) : o[Symbol.iterator](), i = {}, verb("next"), verb("throw"), verb("return"), i[Symbol.asyncIterator] = function () { return this; }, i);
    function verb(n) { i[n] = o[n] && function (v) { return new Promise(function (resolve, reject) { v = o[n](v), settle(resolve, reject, v.done, v.value); }); }; }
    function settle(resolve, reject, d, v) { Promise.resolve(v).then(function(v) { resolve({ value: v, done: d }); }, reject); }
};
var __await = (undefined && undefined.__await) || function (v) { return this instanceof __await ? (this.v = v, this) : new __await(v); }
var __asyncGenerator = (undefined && undefined.__asyncGenerator) || function (thisArg, _arguments, generator) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var g = generator.apply(thisArg, _arguments || []), i, q = [];
    return i = Object.create((typeof AsyncIterator === "function" ? AsyncIterator : Object).prototype), verb("next"), verb("throw"), verb("return", awaitReturn), i[Symbol.asyncIterator] = function () { return this; }, i;
    function awaitReturn(f) { return function (v) { return Promise.resolve(v).then(f, reject); }; }
    function verb(n, f) { if (g[n]) { i[n] = function (v) { return new Promise(function (a, b) { q.push([n, v, a, b]) > 1 || resume(n, v); }); }; if (f) i[n] = f(i[n]); } }
    function resume(n, v) { try { step(g[n](v)); } catch (e) { settle(q[0][3], e); } }
    function step(r) { r.value instanceof __await ? Promise.resolve(r.value.v).then(fulfill, reject) : settle(q[0][2], r); }
    function fulfill(value) { resume("next", value); }
    function reject(value) { resume("throw", value); }
    function settle(f, v) { if (f(v), q.shift(), q.length) resume(q[0][0], q[0][1]); }
};








const internal_globber_IS_WINDOWS = process.platform === 'win32';
class DefaultGlobber {
    constructor(options) {
        this.patterns = [];
        this.searchPaths = [];
        this.options = getOptions(options);
    }
    getSearchPaths() {
        // Return a copy
        return this.searchPaths.slice();
    }
    glob() {
        return __awaiter(this, void 0, void 0, function* () {
            var _a, e_1, _b, _c;
            const result = [];
            try {
                for (var _d = true, _e = __asyncValues(this.globGenerator()), _f; _f = yield _e.next(), _a = _f.done, !_a; _d = true) {
                    _c = _f.value;
                    _d = false;
                    const itemPath = _c;
                    result.push(itemPath);
                }
            }
            catch (e_1_1) { e_1 = { error: e_1_1 }; }
            finally {
                try {
                    if (!_d && !_a && (_b = _e.return)) yield _b.call(_e);
                }
                finally { if (e_1) throw e_1.error; }
            }
            return result;
        });
    }
    globGenerator() {
        return __asyncGenerator(this, arguments, function* globGenerator_1() {
            // Fill in defaults options
            const options = getOptions(this.options);
            // Implicit descendants?
            const patterns = [];
            for (const pattern of this.patterns) {
                patterns.push(pattern);
                if (options.implicitDescendants &&
                    (pattern.trailingSeparator ||
                        pattern.segments[pattern.segments.length - 1] !== '**')) {
                    patterns.push(new Pattern(pattern.negate, true, pattern.segments.concat('**')));
                }
            }
            // Push the search paths
            const stack = [];
            for (const searchPath of getSearchPaths(patterns)) {
                lib_core.debug(`Search path '${searchPath}'`);
                // Exists?
                try {
                    // Intentionally using lstat. Detection for broken symlink
                    // will be performed later (if following symlinks).
                    yield __await(external_fs_.promises.lstat(searchPath));
                }
                catch (err) {
                    if (err.code === 'ENOENT') {
                        continue;
                    }
                    throw err;
                }
                stack.unshift(new SearchState(searchPath, 1));
            }
            // Search
            const traversalChain = []; // used to detect cycles
            while (stack.length) {
                // Pop
                const item = stack.pop();
                // Match?
                const match = internal_pattern_helper_match(patterns, item.path);
                const partialMatch = !!match || internal_pattern_helper_partialMatch(patterns, item.path);
                if (!match && !partialMatch) {
                    continue;
                }
                // Stat
                const stats = yield __await(DefaultGlobber.stat(item, options, traversalChain)
                // Broken symlink, or symlink cycle detected, or no longer exists
                );
                // Broken symlink, or symlink cycle detected, or no longer exists
                if (!stats) {
                    continue;
                }
                // Hidden file or directory?
                if (options.excludeHiddenFiles && external_path_.basename(item.path).match(/^\./)) {
                    continue;
                }
                // Directory
                if (stats.isDirectory()) {
                    // Matched
                    if (match & MatchKind.Directory && options.matchDirectories) {
                        yield yield __await(item.path);
                    }
                    // Descend?
                    else if (!partialMatch) {
                        continue;
                    }
                    // Push the child items in reverse
                    const childLevel = item.level + 1;
                    const childItems = (yield __await(external_fs_.promises.readdir(item.path))).map(x => new SearchState(external_path_.join(item.path, x), childLevel));
                    stack.push(...childItems.reverse());
                }
                // File
                else if (match & MatchKind.File) {
                    yield yield __await(item.path);
                }
            }
        });
    }
    /**
     * Constructs a DefaultGlobber
     */
    static create(patterns, options) {
        return __awaiter(this, void 0, void 0, function* () {
            const result = new DefaultGlobber(options);
            if (internal_globber_IS_WINDOWS) {
                patterns = patterns.replace(/\r\n/g, '\n');
                patterns = patterns.replace(/\r/g, '\n');
            }
            const lines = patterns.split('\n').map(x => x.trim());
            for (const line of lines) {
                // Empty or comment
                if (!line || line.startsWith('#')) {
                    continue;
                }
                // Pattern
                else {
                    result.patterns.push(new Pattern(line));
                }
            }
            result.searchPaths.push(...getSearchPaths(result.patterns));
            return result;
        });
    }
    static stat(item, options, traversalChain) {
        return __awaiter(this, void 0, void 0, function* () {
            // Note:
            // `stat` returns info about the target of a symlink (or symlink chain)
            // `lstat` returns info about a symlink itself
            let stats;
            if (options.followSymbolicLinks) {
                try {
                    // Use `stat` (following symlinks)
                    stats = yield external_fs_.promises.stat(item.path);
                }
                catch (err) {
                    if (err.code === 'ENOENT') {
                        if (options.omitBrokenSymbolicLinks) {
                            lib_core.debug(`Broken symlink '${item.path}'`);
                            return undefined;
                        }
                        throw new Error(`No information found for the path '${item.path}'. This may indicate a broken symbolic link.`);
                    }
                    throw err;
                }
            }
            else {
                // Use `lstat` (not following symlinks)
                stats = yield external_fs_.promises.lstat(item.path);
            }
            // Note, isDirectory() returns false for the lstat of a symlink
            if (stats.isDirectory() && options.followSymbolicLinks) {
                // Get the realpath
                const realPath = yield external_fs_.promises.realpath(item.path);
                // Fixup the traversal chain to match the item level
                while (traversalChain.length >= item.level) {
                    traversalChain.pop();
                }
                // Test for a cycle
                if (traversalChain.some((x) => x === realPath)) {
                    lib_core.debug(`Symlink cycle detected for path '${item.path}' and realpath '${realPath}'`);
                    return undefined;
                }
                // Update the traversal chain
                traversalChain.push(realPath);
            }
            return stats;
        });
    }
}
//# sourceMappingURL=internal-globber.js.map
// EXTERNAL MODULE: external "crypto"
var external_crypto_ = __nccwpck_require__(6982);
// EXTERNAL MODULE: external "stream"
var external_stream_ = __nccwpck_require__(2203);
// EXTERNAL MODULE: external "util"
var external_util_ = __nccwpck_require__(9023);
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/internal-hash-files.js
var internal_hash_files_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var internal_hash_files_asyncValues = (undefined && undefined.__asyncValues) || function (o) {
    if (!Symbol.asyncIterator) throw new TypeError("Symbol.asyncIterator is not defined.");
    var m = o[Symbol.asyncIterator], i;
    return m ? m.call(o) : (o = typeof __values === "function" ? __values(o) : o[Symbol.iterator](), i = {}, verb("next"), verb("throw"), verb("return"), i[Symbol.asyncIterator] = function () { return this; }, i);
    function verb(n) { i[n] = o[n] && function (v) { return new Promise(function (resolve, reject) { v = o[n](v), settle(resolve, reject, v.done, v.value); }); }; }
    function settle(resolve, reject, d, v) { Promise.resolve(v).then(function(v) { resolve({ value: v, done: d }); }, reject); }
};






function hashFiles(globber_1, currentWorkspace_1) {
    return internal_hash_files_awaiter(this, arguments, void 0, function* (globber, currentWorkspace, verbose = false) {
        var _a, e_1, _b, _c;
        var _d;
        const writeDelegate = verbose ? core.info : core.debug;
        let hasMatch = false;
        const githubWorkspace = currentWorkspace
            ? currentWorkspace
            : ((_d = process.env['GITHUB_WORKSPACE']) !== null && _d !== void 0 ? _d : process.cwd());
        const result = crypto.createHash('sha256');
        let count = 0;
        try {
            for (var _e = true, _f = internal_hash_files_asyncValues(globber.globGenerator()), _g; _g = yield _f.next(), _a = _g.done, !_a; _e = true) {
                _c = _g.value;
                _e = false;
                const file = _c;
                writeDelegate(file);
                if (!file.startsWith(`${githubWorkspace}${path.sep}`)) {
                    writeDelegate(`Ignore '${file}' since it is not under GITHUB_WORKSPACE.`);
                    continue;
                }
                if (fs.statSync(file).isDirectory()) {
                    writeDelegate(`Skip directory '${file}'.`);
                    continue;
                }
                const hash = crypto.createHash('sha256');
                const pipeline = util.promisify(stream.pipeline);
                yield pipeline(fs.createReadStream(file), hash);
                result.write(hash.digest());
                count++;
                if (!hasMatch) {
                    hasMatch = true;
                }
            }
        }
        catch (e_1_1) { e_1 = { error: e_1_1 }; }
        finally {
            try {
                if (!_e && !_a && (_b = _f.return)) yield _b.call(_f);
            }
            finally { if (e_1) throw e_1.error; }
        }
        result.end();
        if (hasMatch) {
            writeDelegate(`Found ${count} files to hash.`);
            return result.digest('hex');
        }
        else {
            writeDelegate(`No matches found for glob`);
            return '';
        }
    });
}
//# sourceMappingURL=internal-hash-files.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/glob/lib/glob.js
var glob_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Constructs a globber
 *
 * @param patterns  Patterns separated by newlines
 * @param options   Glob options
 */
function create(patterns, options) {
    return glob_awaiter(this, void 0, void 0, function* () {
        return yield DefaultGlobber.create(patterns, options);
    });
}
/**
 * Computes the sha256 hash of a glob
 *
 * @param patterns  Patterns separated by newlines
 * @param currentWorkspace  Workspace used when matching files
 * @param options   Glob options
 * @param verbose   Enables verbose logging
 */
function glob_hashFiles(patterns_1) {
    return glob_awaiter(this, arguments, void 0, function* (patterns, currentWorkspace = '', options, verbose = false) {
        let followSymbolicLinks = true;
        if (options && typeof options.followSymbolicLinks === 'boolean') {
            followSymbolicLinks = options.followSymbolicLinks;
        }
        const globber = yield create(patterns, { followSymbolicLinks });
        return _hashFiles(globber, currentWorkspace, verbose);
    });
}
//# sourceMappingURL=glob.js.map

/***/ }),

/***/ 2145:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   tZ: () => (/* binding */ BearerCredentialHandler)
/* harmony export */ });
/* unused harmony exports BasicCredentialHandler, PersonalAccessTokenCredentialHandler */
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
class BasicCredentialHandler {
    constructor(username, password) {
        this.username = username;
        this.password = password;
    }
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class BearerCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Bearer ${this.token}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class PersonalAccessTokenCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`PAT:${this.token}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
//# sourceMappingURL=auth.js.map

/***/ }),

/***/ 7693:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Qq: () => (/* binding */ HttpClient),
  Kg: () => (/* binding */ HttpClientError),
  Hv: () => (/* binding */ HttpCodes)
});

// UNUSED EXPORTS: Headers, HttpClientResponse, MediaTypes, getProxyUrl, isHttps

// EXTERNAL MODULE: external "http"
var external_http_ = __nccwpck_require__(8611);
var external_http_namespaceObject = /*#__PURE__*/__nccwpck_require__.t(external_http_, 2);
// EXTERNAL MODULE: external "https"
var external_https_ = __nccwpck_require__(5692);
var external_https_namespaceObject = /*#__PURE__*/__nccwpck_require__.t(external_https_, 2);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/proxy.js
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map
// EXTERNAL MODULE: ./node_modules/tunnel/index.js
var tunnel = __nccwpck_require__(770);
;// CONCATENATED MODULE: external "node:module"
const external_node_module_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:module");
;// CONCATENATED MODULE: ./src/bin/lazy-undici.ts
// What @actions/http-client takes from undici, loaded on first use from a bundle of its own.
// @actions/core imports the client for OIDC tokens, which venv-guard never asks for, and only the
// client's getAgentDispatcher makes a ProxyAgent; undici in the main bundle (a megabyte) cost
// every run ~10 ms just to read and compile. tsconfig.json's "paths" points the bundle's `undici` here, by
// that exact key (`undici/*` would bring this file back in place of the real `undici/index.js`);
// scripts/build.mjs bundles undici itself into dist/undici/index.cjs, and entry.test.ts checks
// that the bundles take nothing from this file but what it exports.

/** undici's own bundle, as seen from a bundle in dist/<entry>/ (`base`, its file URL). */
const UNDICI_BUNDLE = '../undici/index.cjs';
let undici;
/**
 * undici, required at run time from the bundle's place (webpack leaves createRequire alone); from
 * the sources (a local runner that maps `undici` here too), the package itself.
 */
function undiciFor(base) {
    const require = (0,external_node_module_namespaceObject.createRequire)(base);
    try {
        return (undici ??= require(UNDICI_BUNDLE));
    }
    catch {
        return (undici ??= require('undici/index.js'));
    }
}
const ProxyAgent = class {
    constructor(options) {
        return new (undiciFor(import.meta.url).ProxyAgent)(options);
    }
};

;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/index.js
/* eslint-disable @typescript-eslint/no-explicit-any */
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};





var HttpCodes;
(function (HttpCodes) {
    HttpCodes[HttpCodes["OK"] = 200] = "OK";
    HttpCodes[HttpCodes["MultipleChoices"] = 300] = "MultipleChoices";
    HttpCodes[HttpCodes["MovedPermanently"] = 301] = "MovedPermanently";
    HttpCodes[HttpCodes["ResourceMoved"] = 302] = "ResourceMoved";
    HttpCodes[HttpCodes["SeeOther"] = 303] = "SeeOther";
    HttpCodes[HttpCodes["NotModified"] = 304] = "NotModified";
    HttpCodes[HttpCodes["UseProxy"] = 305] = "UseProxy";
    HttpCodes[HttpCodes["SwitchProxy"] = 306] = "SwitchProxy";
    HttpCodes[HttpCodes["TemporaryRedirect"] = 307] = "TemporaryRedirect";
    HttpCodes[HttpCodes["PermanentRedirect"] = 308] = "PermanentRedirect";
    HttpCodes[HttpCodes["BadRequest"] = 400] = "BadRequest";
    HttpCodes[HttpCodes["Unauthorized"] = 401] = "Unauthorized";
    HttpCodes[HttpCodes["PaymentRequired"] = 402] = "PaymentRequired";
    HttpCodes[HttpCodes["Forbidden"] = 403] = "Forbidden";
    HttpCodes[HttpCodes["NotFound"] = 404] = "NotFound";
    HttpCodes[HttpCodes["MethodNotAllowed"] = 405] = "MethodNotAllowed";
    HttpCodes[HttpCodes["NotAcceptable"] = 406] = "NotAcceptable";
    HttpCodes[HttpCodes["ProxyAuthenticationRequired"] = 407] = "ProxyAuthenticationRequired";
    HttpCodes[HttpCodes["RequestTimeout"] = 408] = "RequestTimeout";
    HttpCodes[HttpCodes["Conflict"] = 409] = "Conflict";
    HttpCodes[HttpCodes["Gone"] = 410] = "Gone";
    HttpCodes[HttpCodes["TooManyRequests"] = 429] = "TooManyRequests";
    HttpCodes[HttpCodes["InternalServerError"] = 500] = "InternalServerError";
    HttpCodes[HttpCodes["NotImplemented"] = 501] = "NotImplemented";
    HttpCodes[HttpCodes["BadGateway"] = 502] = "BadGateway";
    HttpCodes[HttpCodes["ServiceUnavailable"] = 503] = "ServiceUnavailable";
    HttpCodes[HttpCodes["GatewayTimeout"] = 504] = "GatewayTimeout";
})(HttpCodes || (HttpCodes = {}));
var Headers;
(function (Headers) {
    Headers["Accept"] = "accept";
    Headers["ContentType"] = "content-type";
})(Headers || (Headers = {}));
var MediaTypes;
(function (MediaTypes) {
    MediaTypes["ApplicationJson"] = "application/json";
})(MediaTypes || (MediaTypes = {}));
/**
 * Returns the proxy URL, depending upon the supplied url and proxy environment variables.
 * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
 */
function lib_getProxyUrl(serverUrl) {
    const proxyUrl = pm.getProxyUrl(new URL(serverUrl));
    return proxyUrl ? proxyUrl.href : '';
}
const HttpRedirectCodes = [
    HttpCodes.MovedPermanently,
    HttpCodes.ResourceMoved,
    HttpCodes.SeeOther,
    HttpCodes.TemporaryRedirect,
    HttpCodes.PermanentRedirect
];
const HttpResponseRetryCodes = [
    HttpCodes.BadGateway,
    HttpCodes.ServiceUnavailable,
    HttpCodes.GatewayTimeout
];
const RetryableHttpVerbs = ['OPTIONS', 'GET', 'DELETE', 'HEAD'];
const ExponentialBackoffCeiling = 10;
const ExponentialBackoffTimeSlice = 5;
class HttpClientError extends Error {
    constructor(message, statusCode) {
        super(message);
        this.name = 'HttpClientError';
        this.statusCode = statusCode;
        Object.setPrototypeOf(this, HttpClientError.prototype);
    }
}
class HttpClientResponse {
    constructor(message) {
        this.message = message;
    }
    readBody() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                let output = Buffer.alloc(0);
                this.message.on('data', (chunk) => {
                    output = Buffer.concat([output, chunk]);
                });
                this.message.on('end', () => {
                    resolve(output.toString());
                });
            }));
        });
    }
    readBodyBuffer() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                const chunks = [];
                this.message.on('data', (chunk) => {
                    chunks.push(chunk);
                });
                this.message.on('end', () => {
                    resolve(Buffer.concat(chunks));
                });
            }));
        });
    }
}
function isHttps(requestUrl) {
    const parsedUrl = new URL(requestUrl);
    return parsedUrl.protocol === 'https:';
}
class HttpClient {
    constructor(userAgent, handlers, requestOptions) {
        this._ignoreSslError = false;
        this._allowRedirects = true;
        this._allowRedirectDowngrade = false;
        this._maxRedirects = 50;
        this._allowRetries = false;
        this._maxRetries = 1;
        this._keepAlive = false;
        this._disposed = false;
        this.userAgent = this._getUserAgentWithOrchestrationId(userAgent);
        this.handlers = handlers || [];
        this.requestOptions = requestOptions;
        if (requestOptions) {
            if (requestOptions.ignoreSslError != null) {
                this._ignoreSslError = requestOptions.ignoreSslError;
            }
            this._socketTimeout = requestOptions.socketTimeout;
            if (requestOptions.allowRedirects != null) {
                this._allowRedirects = requestOptions.allowRedirects;
            }
            if (requestOptions.allowRedirectDowngrade != null) {
                this._allowRedirectDowngrade = requestOptions.allowRedirectDowngrade;
            }
            if (requestOptions.maxRedirects != null) {
                this._maxRedirects = Math.max(requestOptions.maxRedirects, 0);
            }
            if (requestOptions.keepAlive != null) {
                this._keepAlive = requestOptions.keepAlive;
            }
            if (requestOptions.allowRetries != null) {
                this._allowRetries = requestOptions.allowRetries;
            }
            if (requestOptions.maxRetries != null) {
                this._maxRetries = requestOptions.maxRetries;
            }
        }
    }
    options(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('OPTIONS', requestUrl, null, additionalHeaders || {});
        });
    }
    get(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('GET', requestUrl, null, additionalHeaders || {});
        });
    }
    del(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('DELETE', requestUrl, null, additionalHeaders || {});
        });
    }
    post(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('POST', requestUrl, data, additionalHeaders || {});
        });
    }
    patch(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PATCH', requestUrl, data, additionalHeaders || {});
        });
    }
    put(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PUT', requestUrl, data, additionalHeaders || {});
        });
    }
    head(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('HEAD', requestUrl, null, additionalHeaders || {});
        });
    }
    sendStream(verb, requestUrl, stream, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request(verb, requestUrl, stream, additionalHeaders);
        });
    }
    /**
     * Gets a typed object from an endpoint
     * Be aware that not found returns a null.  Other errors (4xx, 5xx) reject the promise
     */
    getJson(requestUrl_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, additionalHeaders = {}) {
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            const res = yield this.get(requestUrl, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    postJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.post(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    putJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.put(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    patchJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.patch(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    /**
     * Makes a raw http request.
     * All other methods such as get, post, patch, and request ultimately call this.
     * Prefer get, del, post and patch
     */
    request(verb, requestUrl, data, headers) {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._disposed) {
                throw new Error('Client has already been disposed.');
            }
            const parsedUrl = new URL(requestUrl);
            let info = this._prepareRequest(verb, parsedUrl, headers);
            // Only perform retries on reads since writes may not be idempotent.
            const maxTries = this._allowRetries && RetryableHttpVerbs.includes(verb)
                ? this._maxRetries + 1
                : 1;
            let numTries = 0;
            let response;
            do {
                response = yield this.requestRaw(info, data);
                // Check if it's an authentication challenge
                if (response &&
                    response.message &&
                    response.message.statusCode === HttpCodes.Unauthorized) {
                    let authenticationHandler;
                    for (const handler of this.handlers) {
                        if (handler.canHandleAuthentication(response)) {
                            authenticationHandler = handler;
                            break;
                        }
                    }
                    if (authenticationHandler) {
                        return authenticationHandler.handleAuthentication(this, info, data);
                    }
                    else {
                        // We have received an unauthorized response but have no handlers to handle it.
                        // Let the response return to the caller.
                        return response;
                    }
                }
                let redirectsRemaining = this._maxRedirects;
                while (response.message.statusCode &&
                    HttpRedirectCodes.includes(response.message.statusCode) &&
                    this._allowRedirects &&
                    redirectsRemaining > 0) {
                    const redirectUrl = response.message.headers['location'];
                    if (!redirectUrl) {
                        // if there's no location to redirect to, we won't
                        break;
                    }
                    const parsedRedirectUrl = new URL(redirectUrl);
                    if (parsedUrl.protocol === 'https:' &&
                        parsedUrl.protocol !== parsedRedirectUrl.protocol &&
                        !this._allowRedirectDowngrade) {
                        throw new Error('Redirect from HTTPS to HTTP protocol. This downgrade is not allowed for security reasons. If you want to allow this behavior, set the allowRedirectDowngrade option to true.');
                    }
                    // we need to finish reading the response before reassigning response
                    // which will leak the open socket.
                    yield response.readBody();
                    // strip authorization header if redirected to a different hostname
                    if (parsedRedirectUrl.hostname !== parsedUrl.hostname) {
                        for (const header in headers) {
                            // header names are case insensitive
                            if (header.toLowerCase() === 'authorization') {
                                delete headers[header];
                            }
                        }
                    }
                    // let's make the request with the new redirectUrl
                    info = this._prepareRequest(verb, parsedRedirectUrl, headers);
                    response = yield this.requestRaw(info, data);
                    redirectsRemaining--;
                }
                if (!response.message.statusCode ||
                    !HttpResponseRetryCodes.includes(response.message.statusCode)) {
                    // If not a retry code, return immediately instead of retrying
                    return response;
                }
                numTries += 1;
                if (numTries < maxTries) {
                    yield response.readBody();
                    yield this._performExponentialBackoff(numTries);
                }
            } while (numTries < maxTries);
            return response;
        });
    }
    /**
     * Needs to be called if keepAlive is set to true in request options.
     */
    dispose() {
        if (this._agent) {
            this._agent.destroy();
        }
        this._disposed = true;
    }
    /**
     * Raw request.
     * @param info
     * @param data
     */
    requestRaw(info, data) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => {
                function callbackForResult(err, res) {
                    if (err) {
                        reject(err);
                    }
                    else if (!res) {
                        // If `err` is not passed, then `res` must be passed.
                        reject(new Error('Unknown error'));
                    }
                    else {
                        resolve(res);
                    }
                }
                this.requestRawWithCallback(info, data, callbackForResult);
            });
        });
    }
    /**
     * Raw request with callback.
     * @param info
     * @param data
     * @param onResult
     */
    requestRawWithCallback(info, data, onResult) {
        if (typeof data === 'string') {
            if (!info.options.headers) {
                info.options.headers = {};
            }
            info.options.headers['Content-Length'] = Buffer.byteLength(data, 'utf8');
        }
        let callbackCalled = false;
        function handleResult(err, res) {
            if (!callbackCalled) {
                callbackCalled = true;
                onResult(err, res);
            }
        }
        const req = info.httpModule.request(info.options, (msg) => {
            const res = new HttpClientResponse(msg);
            handleResult(undefined, res);
        });
        let socket;
        req.on('socket', sock => {
            socket = sock;
        });
        // If we ever get disconnected, we want the socket to timeout eventually
        req.setTimeout(this._socketTimeout || 3 * 60000, () => {
            if (socket) {
                socket.end();
            }
            handleResult(new Error(`Request timeout: ${info.options.path}`));
        });
        req.on('error', function (err) {
            // err has statusCode property
            // res should have headers
            handleResult(err);
        });
        if (data && typeof data === 'string') {
            req.write(data, 'utf8');
        }
        if (data && typeof data !== 'string') {
            data.on('close', function () {
                req.end();
            });
            data.pipe(req);
        }
        else {
            req.end();
        }
    }
    /**
     * Gets an http agent. This function is useful when you need an http agent that handles
     * routing through a proxy server - depending upon the url and proxy environment variables.
     * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
     */
    getAgent(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        return this._getAgent(parsedUrl);
    }
    getAgentDispatcher(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        const proxyUrl = getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (!useProxy) {
            return;
        }
        return this._getProxyAgentDispatcher(parsedUrl, proxyUrl);
    }
    _prepareRequest(method, requestUrl, headers) {
        const info = {};
        info.parsedUrl = requestUrl;
        const usingSsl = info.parsedUrl.protocol === 'https:';
        info.httpModule = usingSsl ? external_https_namespaceObject : external_http_namespaceObject;
        const defaultPort = usingSsl ? 443 : 80;
        info.options = {};
        info.options.host = info.parsedUrl.hostname;
        info.options.port = info.parsedUrl.port
            ? parseInt(info.parsedUrl.port)
            : defaultPort;
        info.options.path =
            (info.parsedUrl.pathname || '') + (info.parsedUrl.search || '');
        info.options.method = method;
        info.options.headers = this._mergeHeaders(headers);
        if (this.userAgent != null) {
            info.options.headers['user-agent'] = this.userAgent;
        }
        info.options.agent = this._getAgent(info.parsedUrl);
        // gives handlers an opportunity to participate
        if (this.handlers) {
            for (const handler of this.handlers) {
                handler.prepareRequest(info.options);
            }
        }
        return info;
    }
    _mergeHeaders(headers) {
        if (this.requestOptions && this.requestOptions.headers) {
            return Object.assign({}, lowercaseKeys(this.requestOptions.headers), lowercaseKeys(headers || {}));
        }
        return lowercaseKeys(headers || {});
    }
    /**
     * Gets an existing header value or returns a default.
     * Handles converting number header values to strings since HTTP headers must be strings.
     * Note: This returns string | string[] since some headers can have multiple values.
     * For headers that must always be a single string (like Content-Type), use the
     * specialized _getExistingOrDefaultContentTypeHeader method instead.
     */
    _getExistingOrDefaultHeader(additionalHeaders, header, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[header];
            if (headerValue) {
                clientHeader =
                    typeof headerValue === 'number' ? headerValue.toString() : headerValue;
            }
        }
        const additionalValue = additionalHeaders[header];
        if (additionalValue !== undefined) {
            return typeof additionalValue === 'number'
                ? additionalValue.toString()
                : additionalValue;
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    /**
     * Specialized version of _getExistingOrDefaultHeader for Content-Type header.
     * Always returns a single string (not an array) since Content-Type should be a single value.
     * Converts arrays to comma-separated strings and numbers to strings to ensure type safety.
     * This was split from _getExistingOrDefaultHeader to provide stricter typing for callers
     * that assign the result to places expecting a string (e.g., additionalHeaders[Headers.ContentType]).
     */
    _getExistingOrDefaultContentTypeHeader(additionalHeaders, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[Headers.ContentType];
            if (headerValue) {
                if (typeof headerValue === 'number') {
                    clientHeader = String(headerValue);
                }
                else if (Array.isArray(headerValue)) {
                    clientHeader = headerValue.join(', ');
                }
                else {
                    clientHeader = headerValue;
                }
            }
        }
        const additionalValue = additionalHeaders[Headers.ContentType];
        // Return the first non-undefined value, converting numbers or arrays to strings if necessary
        if (additionalValue !== undefined) {
            if (typeof additionalValue === 'number') {
                return String(additionalValue);
            }
            else if (Array.isArray(additionalValue)) {
                return additionalValue.join(', ');
            }
            else {
                return additionalValue;
            }
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    _getAgent(parsedUrl) {
        let agent;
        const proxyUrl = getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (this._keepAlive && useProxy) {
            agent = this._proxyAgent;
        }
        if (!useProxy) {
            agent = this._agent;
        }
        // if agent is already assigned use that agent.
        if (agent) {
            return agent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        let maxSockets = 100;
        if (this.requestOptions) {
            maxSockets = this.requestOptions.maxSockets || external_http_.globalAgent.maxSockets;
        }
        // This is `useProxy` again, but we need to check `proxyURl` directly for TypeScripts's flow analysis.
        if (proxyUrl && proxyUrl.hostname) {
            const agentOptions = {
                maxSockets,
                keepAlive: this._keepAlive,
                proxy: Object.assign(Object.assign({}, ((proxyUrl.username || proxyUrl.password) && {
                    proxyAuth: `${proxyUrl.username}:${proxyUrl.password}`
                })), { host: proxyUrl.hostname, port: proxyUrl.port })
            };
            let tunnelAgent;
            const overHttps = proxyUrl.protocol === 'https:';
            if (usingSsl) {
                tunnelAgent = overHttps ? tunnel.httpsOverHttps : tunnel.httpsOverHttp;
            }
            else {
                tunnelAgent = overHttps ? tunnel.httpOverHttps : tunnel.httpOverHttp;
            }
            agent = tunnelAgent(agentOptions);
            this._proxyAgent = agent;
        }
        // if tunneling agent isn't assigned create a new agent
        if (!agent) {
            const options = { keepAlive: this._keepAlive, maxSockets };
            agent = usingSsl ? new external_https_.Agent(options) : new external_http_.Agent(options);
            this._agent = agent;
        }
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            agent.options = Object.assign(agent.options || {}, {
                rejectUnauthorized: false
            });
        }
        return agent;
    }
    _getProxyAgentDispatcher(parsedUrl, proxyUrl) {
        let proxyAgent;
        if (this._keepAlive) {
            proxyAgent = this._proxyAgentDispatcher;
        }
        // if agent is already assigned use that agent.
        if (proxyAgent) {
            return proxyAgent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        proxyAgent = new ProxyAgent(Object.assign({ uri: proxyUrl.href, pipelining: !this._keepAlive ? 0 : 1 }, ((proxyUrl.username || proxyUrl.password) && {
            token: `Basic ${Buffer.from(`${proxyUrl.username}:${proxyUrl.password}`).toString('base64')}`
        })));
        this._proxyAgentDispatcher = proxyAgent;
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            proxyAgent.options = Object.assign(proxyAgent.options.requestTls || {}, {
                rejectUnauthorized: false
            });
        }
        return proxyAgent;
    }
    _getUserAgentWithOrchestrationId(userAgent) {
        const baseUserAgent = userAgent || 'actions/http-client';
        const orchId = process.env['ACTIONS_ORCHESTRATION_ID'];
        if (orchId) {
            // Sanitize the orchestration ID to ensure it contains only valid characters
            // Valid characters: 0-9, a-z, _, -, .
            const sanitizedId = orchId.replace(/[^a-z0-9_.-]/gi, '_');
            return `${baseUserAgent} actions_orchestration_id/${sanitizedId}`;
        }
        return baseUserAgent;
    }
    _performExponentialBackoff(retryNumber) {
        return __awaiter(this, void 0, void 0, function* () {
            retryNumber = Math.min(ExponentialBackoffCeiling, retryNumber);
            const ms = ExponentialBackoffTimeSlice * Math.pow(2, retryNumber);
            return new Promise(resolve => setTimeout(() => resolve(), ms));
        });
    }
    _processResponse(res, options) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => __awaiter(this, void 0, void 0, function* () {
                const statusCode = res.message.statusCode || 0;
                const response = {
                    statusCode,
                    result: null,
                    headers: {}
                };
                // not found leads to null obj returned
                if (statusCode === HttpCodes.NotFound) {
                    resolve(response);
                }
                // get the result from the body
                function dateTimeDeserializer(key, value) {
                    if (typeof value === 'string') {
                        const a = new Date(value);
                        if (!isNaN(a.valueOf())) {
                            return a;
                        }
                    }
                    return value;
                }
                let obj;
                let contents;
                try {
                    contents = yield res.readBody();
                    if (contents && contents.length > 0) {
                        if (options && options.deserializeDates) {
                            obj = JSON.parse(contents, dateTimeDeserializer);
                        }
                        else {
                            obj = JSON.parse(contents);
                        }
                        response.result = obj;
                    }
                    response.headers = res.message.headers;
                }
                catch (err) {
                    // Invalid resource (contents not json);  leaving result obj null
                }
                // note that 3xx redirects are handled by the http layer.
                if (statusCode > 299) {
                    let msg;
                    // if exception/error in body, attempt to get better error
                    if (obj && obj.message) {
                        msg = obj.message;
                    }
                    else if (contents && contents.length > 0) {
                        // it may be the case that the exception is in the body message as string
                        msg = contents;
                    }
                    else {
                        msg = `Failed request: (${statusCode})`;
                    }
                    const err = new HttpClientError(msg, statusCode);
                    err.result = response.result;
                    reject(err);
                }
                else {
                    resolve(response);
                }
            }));
        });
    }
}
const lowercaseKeys = (obj) => Object.keys(obj).reduce((c, k) => ((c[k.toLowerCase()] = obj[k]), c), {});
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 90:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ck: () => (/* binding */ mkdir),
/* harmony export */   H8: () => (/* binding */ IS_WINDOWS),
/* harmony export */   Qh: () => (/* binding */ isRooted),
/* harmony export */   rm: () => (/* binding */ rm),
/* harmony export */   t2: () => (/* binding */ exists),
/* harmony export */   vr: () => (/* binding */ tryGetExecutablePath)
/* harmony export */ });
/* unused harmony exports chmod, copyFile, lstat, open, readdir, rename, rmdir, stat, symlink, unlink, readlink, UV_FS_O_EXLOCK, READONLY, isDirectory, getCmdPath */
/* harmony import */ var fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9896);
/* harmony import */ var path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6928);
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open, readdir, rename, rm, rmdir, stat, symlink, unlink } = fs__WEBPACK_IMPORTED_MODULE_0__.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = path__WEBPACK_IMPORTED_MODULE_1__.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = path__WEBPACK_IMPORTED_MODULE_1__.dirname(filePath);
                        const upperName = path__WEBPACK_IMPORTED_MODULE_1__.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = path__WEBPACK_IMPORTED_MODULE_1__.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map

/***/ }),

/***/ 8701:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   K7: () => (/* binding */ which),
/* harmony export */   U$: () => (/* binding */ mkdirP),
/* harmony export */   Yz: () => (/* binding */ rmRF)
/* harmony export */ });
/* unused harmony exports cp, mv, findInPath */
/* harmony import */ var assert__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2613);
/* harmony import */ var path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6928);
/* harmony import */ var _io_util_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(90);
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return __awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return __awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return __awaiter(this, void 0, void 0, function* () {
        if (_io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .IS_WINDOWS */ .H8) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield _io_util_js__WEBPACK_IMPORTED_MODULE_2__.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        (0,assert__WEBPACK_IMPORTED_MODULE_0__.ok)(fsPath, 'a path argument must be provided');
        yield _io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .mkdir */ .Ck(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return __awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (_io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .IS_WINDOWS */ .H8) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return __awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (_io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .IS_WINDOWS */ .H8 && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(path__WEBPACK_IMPORTED_MODULE_1__.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (_io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .isRooted */ .Qh(tool)) {
            const filePath = yield _io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .tryGetExecutablePath */ .vr(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(path__WEBPACK_IMPORTED_MODULE_1__.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(path__WEBPACK_IMPORTED_MODULE_1__.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield _io_util_js__WEBPACK_IMPORTED_MODULE_2__/* .tryGetExecutablePath */ .vr(path__WEBPACK_IMPORTED_MODULE_1__.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return __awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function copyFile(srcFile, destFile, force) {
    return __awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map

/***/ }),

/***/ 9805:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Hl: () => (/* binding */ HTTPError),
  nN: () => (/* binding */ extractTar),
  JE: () => (/* binding */ extractZip),
  DC: () => (/* binding */ findFromManifest)
});

// UNUSED EXPORTS: cacheDir, cacheFile, downloadTool, evaluateVersions, extract7z, extractXar, find, findAllVersions, getManifestFromRepo, isExplicitVersion

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var lib_core = __nccwpck_require__(3838);
// EXTERNAL MODULE: ./node_modules/@actions/io/lib/io.js
var lib_io = __nccwpck_require__(8701);
// EXTERNAL MODULE: external "crypto"
var external_crypto_ = __nccwpck_require__(6982);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
// EXTERNAL MODULE: ./node_modules/semver/index.js
var node_modules_semver = __nccwpck_require__(2088);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: external "child_process"
var external_child_process_ = __nccwpck_require__(5317);
;// CONCATENATED MODULE: ./node_modules/@actions/tool-cache/lib/manifest.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};





// Internal object for testability (allows mocking in ESM)
const _internal = {
    readLinuxVersionFile() {
        const lsbReleaseFile = '/etc/lsb-release';
        const osReleaseFile = '/etc/os-release';
        let contents = '';
        if (external_fs_.existsSync(lsbReleaseFile)) {
            contents = external_fs_.readFileSync(lsbReleaseFile).toString();
        }
        else if (external_fs_.existsSync(osReleaseFile)) {
            contents = external_fs_.readFileSync(osReleaseFile).toString();
        }
        return contents;
    }
};
function _findMatch(versionSpec, stable, candidates, archFilter) {
    return __awaiter(this, void 0, void 0, function* () {
        const platFilter = external_os_.platform();
        let result;
        let match;
        let file;
        for (const candidate of candidates) {
            const version = candidate.version;
            (0,lib_core.debug)(`check ${version} satisfies ${versionSpec}`);
            if (node_modules_semver.satisfies(version, versionSpec) &&
                (!stable || candidate.stable === stable)) {
                file = candidate.files.find(item => {
                    (0,lib_core.debug)(`${item.arch}===${archFilter} && ${item.platform}===${platFilter}`);
                    let chk = item.arch === archFilter && item.platform === platFilter;
                    if (chk && item.platform_version) {
                        const osVersion = _getOsVersion();
                        if (osVersion === item.platform_version) {
                            chk = true;
                        }
                        else {
                            chk = node_modules_semver.satisfies(osVersion, item.platform_version);
                        }
                    }
                    return chk;
                });
                if (file) {
                    (0,lib_core.debug)(`matched ${candidate.version}`);
                    match = candidate;
                    break;
                }
            }
        }
        if (match && file) {
            // clone since we're mutating the file list to be only the file that matches
            result = Object.assign({}, match);
            result.files = [file];
        }
        return result;
    });
}
function _getOsVersion() {
    // TODO: add windows and other linux, arm variants
    // right now filtering on version is only an ubuntu and macos scenario for tools we build for hosted (python)
    const plat = external_os_.platform();
    let version = '';
    if (plat === 'darwin') {
        version = external_child_process_.execSync('sw_vers -productVersion').toString();
    }
    else if (plat === 'linux') {
        // lsb_release process not in some containers, readfile
        // Run cat /etc/lsb-release
        // DISTRIB_ID=Ubuntu
        // DISTRIB_RELEASE=18.04
        // DISTRIB_CODENAME=bionic
        // DISTRIB_DESCRIPTION="Ubuntu 18.04.4 LTS"
        const lsbContents = _internal.readLinuxVersionFile();
        if (lsbContents) {
            const lines = lsbContents.split('\n');
            for (const line of lines) {
                const parts = line.split('=');
                if (parts.length === 2 &&
                    (parts[0].trim() === 'VERSION_ID' ||
                        parts[0].trim() === 'DISTRIB_RELEASE')) {
                    version = parts[1].trim().replace(/^"/, '').replace(/"$/, '');
                    break;
                }
            }
        }
    }
    return version;
}
// Alias for backwards compatibility
function _readLinuxVersionFile() {
    return _internal.readLinuxVersionFile();
}
//# sourceMappingURL=manifest.js.map
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 3 modules
var lib = __nccwpck_require__(7693);
// EXTERNAL MODULE: external "stream"
var external_stream_ = __nccwpck_require__(2203);
// EXTERNAL MODULE: external "util"
var external_util_ = __nccwpck_require__(9023);
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 3 modules
var lib_exec = __nccwpck_require__(5781);
;// CONCATENATED MODULE: ./node_modules/@actions/tool-cache/lib/retry-helper.js
var retry_helper_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};

/**
 * Internal class for retries
 */
class retry_helper_RetryHelper {
    constructor(maxAttempts, minSeconds, maxSeconds) {
        if (maxAttempts < 1) {
            throw new Error('max attempts should be greater than or equal to 1');
        }
        this.maxAttempts = maxAttempts;
        this.minSeconds = Math.floor(minSeconds);
        this.maxSeconds = Math.floor(maxSeconds);
        if (this.minSeconds > this.maxSeconds) {
            throw new Error('min seconds should be less than or equal to max seconds');
        }
    }
    execute(action, isRetryable) {
        return retry_helper_awaiter(this, void 0, void 0, function* () {
            let attempt = 1;
            while (attempt < this.maxAttempts) {
                // Try
                try {
                    return yield action();
                }
                catch (err) {
                    if (isRetryable && !isRetryable(err)) {
                        throw err;
                    }
                    core.info(err.message);
                }
                // Sleep
                const seconds = this.getSleepAmount();
                core.info(`Waiting ${seconds} seconds before trying again`);
                yield this.sleep(seconds);
                attempt++;
            }
            // Last attempt
            return yield action();
        });
    }
    getSleepAmount() {
        return (Math.floor(Math.random() * (this.maxSeconds - this.minSeconds + 1)) +
            this.minSeconds);
    }
    sleep(seconds) {
        return retry_helper_awaiter(this, void 0, void 0, function* () {
            return new Promise(resolve => setTimeout(resolve, seconds * 1000));
        });
    }
}
//# sourceMappingURL=retry-helper.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js
var tool_cache_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};














class HTTPError extends Error {
    constructor(httpStatusCode) {
        super(`Unexpected HTTP response: ${httpStatusCode}`);
        this.httpStatusCode = httpStatusCode;
        Object.setPrototypeOf(this, new.target.prototype);
    }
}
const IS_WINDOWS = process.platform === 'win32';
const IS_MAC = process.platform === 'darwin';
const userAgent = 'actions/tool-cache';
/**
 * Download a tool from an url and stream it into a file
 *
 * @param url       url of tool to download
 * @param dest      path to download tool
 * @param auth      authorization header
 * @param headers   other headers
 * @returns         path to downloaded tool
 */
function downloadTool(url, dest, auth, headers) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        dest = dest || path.join(_getTempDirectory(), crypto.randomUUID());
        yield io.mkdirP(path.dirname(dest));
        core.debug(`Downloading ${url}`);
        core.debug(`Destination ${dest}`);
        const maxAttempts = 3;
        const minSeconds = _getGlobal('TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS', 10);
        const maxSeconds = _getGlobal('TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS', 20);
        const retryHelper = new RetryHelper(maxAttempts, minSeconds, maxSeconds);
        return yield retryHelper.execute(() => tool_cache_awaiter(this, void 0, void 0, function* () {
            return yield downloadToolAttempt(url, dest || '', auth, headers);
        }), (err) => {
            if (err instanceof HTTPError && err.httpStatusCode) {
                // Don't retry anything less than 500, except 408 Request Timeout and 429 Too Many Requests
                if (err.httpStatusCode < 500 &&
                    err.httpStatusCode !== 408 &&
                    err.httpStatusCode !== 429) {
                    return false;
                }
            }
            // Otherwise retry
            return true;
        });
    });
}
function downloadToolAttempt(url, dest, auth, headers) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        if (fs.existsSync(dest)) {
            throw new Error(`Destination file path ${dest} already exists`);
        }
        // Get the response headers
        const http = new httpm.HttpClient(userAgent, [], {
            allowRetries: false
        });
        if (auth) {
            core.debug('set auth');
            if (headers === undefined) {
                headers = {};
            }
            headers.authorization = auth;
        }
        const response = yield http.get(url, headers);
        if (response.message.statusCode !== 200) {
            const err = new HTTPError(response.message.statusCode);
            core.debug(`Failed to download from "${url}". Code(${response.message.statusCode}) Message(${response.message.statusMessage})`);
            throw err;
        }
        // Download the response body
        const pipeline = util.promisify(stream.pipeline);
        const responseMessageFactory = _getGlobal('TEST_DOWNLOAD_TOOL_RESPONSE_MESSAGE_FACTORY', () => response.message);
        const readStream = responseMessageFactory();
        let succeeded = false;
        try {
            yield pipeline(readStream, fs.createWriteStream(dest));
            core.debug('download complete');
            succeeded = true;
            return dest;
        }
        finally {
            // Error, delete dest before retry
            if (!succeeded) {
                core.debug('download failed');
                try {
                    yield io.rmRF(dest);
                }
                catch (err) {
                    core.debug(`Failed to delete '${dest}'. ${err.message}`);
                }
            }
        }
    });
}
/**
 * Extract a .7z file
 *
 * @param file     path to the .7z file
 * @param dest     destination directory. Optional.
 * @param _7zPath  path to 7zr.exe. Optional, for long path support. Most .7z archives do not have this
 * problem. If your .7z archive contains very long paths, you can pass the path to 7zr.exe which will
 * gracefully handle long paths. By default 7zdec.exe is used because it is a very small program and is
 * bundled with the tool lib. However it does not support long paths. 7zr.exe is the reduced command line
 * interface, it is smaller than the full command line interface, and it does support long paths. At the
 * time of this writing, it is freely available from the LZMA SDK that is available on the 7zip website.
 * Be sure to check the current license agreement. If 7zr.exe is bundled with your action, then the path
 * to 7zr.exe can be pass to this function.
 * @returns        path to the destination directory
 */
function extract7z(file, dest, _7zPath) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        ok(IS_WINDOWS, 'extract7z() not supported on current OS');
        ok(file, 'parameter "file" is required');
        dest = yield _createExtractFolder(dest);
        const originalCwd = process.cwd();
        process.chdir(dest);
        if (_7zPath) {
            try {
                const logLevel = core.isDebug() ? '-bb1' : '-bb0';
                const args = [
                    'x', // eXtract files with full paths
                    logLevel, // -bb[0-3] : set output log level
                    '-bd', // disable progress indicator
                    '-sccUTF-8', // set charset for for console input/output
                    file
                ];
                const options = {
                    silent: true
                };
                yield exec(`"${_7zPath}"`, args, options);
            }
            finally {
                process.chdir(originalCwd);
            }
        }
        else {
            const escapedScript = path
                .join(__dirname, '..', 'scripts', 'Invoke-7zdec.ps1')
                .replace(/'/g, "''")
                .replace(/"|\n|\r/g, ''); // double-up single quotes, remove double quotes and newlines
            const escapedFile = file.replace(/'/g, "''").replace(/"|\n|\r/g, '');
            const escapedTarget = dest.replace(/'/g, "''").replace(/"|\n|\r/g, '');
            const command = `& '${escapedScript}' -Source '${escapedFile}' -Target '${escapedTarget}'`;
            const args = [
                '-NoLogo',
                '-Sta',
                '-NoProfile',
                '-NonInteractive',
                '-ExecutionPolicy',
                'Unrestricted',
                '-Command',
                command
            ];
            const options = {
                silent: true
            };
            try {
                const powershellPath = yield io.which('powershell', true);
                yield exec(`"${powershellPath}"`, args, options);
            }
            finally {
                process.chdir(originalCwd);
            }
        }
        return dest;
    });
}
/**
 * Extract a compressed tar archive
 *
 * @param file     path to the tar
 * @param dest     destination directory. Optional.
 * @param flags    flags for the tar command to use for extraction. Defaults to 'xz' (extracting gzipped tars). Optional.
 * @returns        path to the destination directory
 */
function extractTar(file_1, dest_1) {
    return tool_cache_awaiter(this, arguments, void 0, function* (file, dest, flags = 'xz') {
        if (!file) {
            throw new Error("parameter 'file' is required");
        }
        // Create dest
        dest = yield _createExtractFolder(dest);
        // Determine whether GNU tar
        lib_core.debug('Checking tar --version');
        let versionOutput = '';
        yield (0,lib_exec/* exec */.m)('tar --version', [], {
            ignoreReturnCode: true,
            silent: true,
            listeners: {
                stdout: (data) => (versionOutput += data.toString()),
                stderr: (data) => (versionOutput += data.toString())
            }
        });
        lib_core.debug(versionOutput.trim());
        const isGnuTar = versionOutput.toUpperCase().includes('GNU TAR');
        // Initialize args
        let args;
        if (flags instanceof Array) {
            args = flags;
        }
        else {
            args = [flags];
        }
        if (lib_core.isDebug() && !flags.includes('v')) {
            args.push('-v');
        }
        let destArg = dest;
        let fileArg = file;
        if (IS_WINDOWS && isGnuTar) {
            args.push('--force-local');
            destArg = dest.replace(/\\/g, '/');
            // Technically only the dest needs to have `/` but for aesthetic consistency
            // convert slashes in the file arg too.
            fileArg = file.replace(/\\/g, '/');
        }
        if (isGnuTar) {
            // Suppress warnings when using GNU tar to extract archives created by BSD tar
            args.push('--warning=no-unknown-keyword');
            args.push('--overwrite');
        }
        args.push('-C', destArg, '-f', fileArg);
        yield (0,lib_exec/* exec */.m)(`tar`, args);
        return dest;
    });
}
/**
 * Extract a xar compatible archive
 *
 * @param file     path to the archive
 * @param dest     destination directory. Optional.
 * @param flags    flags for the xar. Optional.
 * @returns        path to the destination directory
 */
function extractXar(file_1, dest_1) {
    return tool_cache_awaiter(this, arguments, void 0, function* (file, dest, flags = []) {
        ok(IS_MAC, 'extractXar() not supported on current OS');
        ok(file, 'parameter "file" is required');
        dest = yield _createExtractFolder(dest);
        let args;
        if (flags instanceof Array) {
            args = flags;
        }
        else {
            args = [flags];
        }
        args.push('-x', '-C', dest, '-f', file);
        if (core.isDebug()) {
            args.push('-v');
        }
        const xarPath = yield io.which('xar', true);
        yield exec(`"${xarPath}"`, _unique(args));
        return dest;
    });
}
/**
 * Extract a zip
 *
 * @param file     path to the zip
 * @param dest     destination directory. Optional.
 * @returns        path to the destination directory
 */
function extractZip(file, dest) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        if (!file) {
            throw new Error("parameter 'file' is required");
        }
        dest = yield _createExtractFolder(dest);
        if (IS_WINDOWS) {
            yield extractZipWin(file, dest);
        }
        else {
            yield extractZipNix(file, dest);
        }
        return dest;
    });
}
function extractZipWin(file, dest) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        // build the powershell command
        const escapedFile = file.replace(/'/g, "''").replace(/"|\n|\r/g, ''); // double-up single quotes, remove double quotes and newlines
        const escapedDest = dest.replace(/'/g, "''").replace(/"|\n|\r/g, '');
        const pwshPath = yield lib_io/* which */.K7('pwsh', false);
        //To match the file overwrite behavior on nix systems, we use the overwrite = true flag for ExtractToDirectory
        //and the -Force flag for Expand-Archive as a fallback
        if (pwshPath) {
            //attempt to use pwsh with ExtractToDirectory, if this fails attempt Expand-Archive
            const pwshCommand = [
                `$ErrorActionPreference = 'Stop' ;`,
                `try { Add-Type -AssemblyName System.IO.Compression.ZipFile } catch { } ;`,
                `try { [System.IO.Compression.ZipFile]::ExtractToDirectory('${escapedFile}', '${escapedDest}', $true) }`,
                `catch { if (($_.Exception.GetType().FullName -eq 'System.Management.Automation.MethodException') -or ($_.Exception.GetType().FullName -eq 'System.Management.Automation.RuntimeException') ){ Expand-Archive -LiteralPath '${escapedFile}' -DestinationPath '${escapedDest}' -Force } else { throw $_ } } ;`
            ].join(' ');
            const args = [
                '-NoLogo',
                '-NoProfile',
                '-NonInteractive',
                '-ExecutionPolicy',
                'Unrestricted',
                '-Command',
                pwshCommand
            ];
            lib_core.debug(`Using pwsh at path: ${pwshPath}`);
            yield (0,lib_exec/* exec */.m)(`"${pwshPath}"`, args);
        }
        else {
            const powershellCommand = [
                `$ErrorActionPreference = 'Stop' ;`,
                `try { Add-Type -AssemblyName System.IO.Compression.FileSystem } catch { } ;`,
                `if ((Get-Command -Name Expand-Archive -Module Microsoft.PowerShell.Archive -ErrorAction Ignore)) { Expand-Archive -LiteralPath '${escapedFile}' -DestinationPath '${escapedDest}' -Force }`,
                `else {[System.IO.Compression.ZipFile]::ExtractToDirectory('${escapedFile}', '${escapedDest}', $true) }`
            ].join(' ');
            const args = [
                '-NoLogo',
                '-Sta',
                '-NoProfile',
                '-NonInteractive',
                '-ExecutionPolicy',
                'Unrestricted',
                '-Command',
                powershellCommand
            ];
            const powershellPath = yield lib_io/* which */.K7('powershell', true);
            lib_core.debug(`Using powershell at path: ${powershellPath}`);
            yield (0,lib_exec/* exec */.m)(`"${powershellPath}"`, args);
        }
    });
}
function extractZipNix(file, dest) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        const unzipPath = yield lib_io/* which */.K7('unzip', true);
        const args = [file];
        if (!lib_core.isDebug()) {
            args.unshift('-q');
        }
        args.unshift('-o'); //overwrite with -o, otherwise a prompt is shown which freezes the run
        yield (0,lib_exec/* exec */.m)(`"${unzipPath}"`, args, { cwd: dest });
    });
}
/**
 * Caches a directory and installs it into the tool cacheDir
 *
 * @param sourceDir    the directory to cache into tools
 * @param tool          tool name
 * @param version       version of the tool.  semver format
 * @param arch          architecture of the tool.  Optional.  Defaults to machine architecture
 */
function cacheDir(sourceDir, tool, version, arch) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        version = semver.clean(version) || version;
        arch = arch || os.arch();
        core.debug(`Caching tool ${tool} ${version} ${arch}`);
        core.debug(`source dir: ${sourceDir}`);
        if (!fs.statSync(sourceDir).isDirectory()) {
            throw new Error('sourceDir is not a directory');
        }
        // Create the tool dir
        const destPath = yield _createToolPath(tool, version, arch);
        // copy each child item. do not move. move can fail on Windows
        // due to anti-virus software having an open handle on a file.
        for (const itemName of fs.readdirSync(sourceDir)) {
            const s = path.join(sourceDir, itemName);
            yield io.cp(s, destPath, { recursive: true });
        }
        // write .complete
        _completeToolPath(tool, version, arch);
        return destPath;
    });
}
/**
 * Caches a downloaded file (GUID) and installs it
 * into the tool cache with a given targetName
 *
 * @param sourceFile    the file to cache into tools.  Typically a result of downloadTool which is a guid.
 * @param targetFile    the name of the file name in the tools directory
 * @param tool          tool name
 * @param version       version of the tool.  semver format
 * @param arch          architecture of the tool.  Optional.  Defaults to machine architecture
 */
function cacheFile(sourceFile, targetFile, tool, version, arch) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        version = semver.clean(version) || version;
        arch = arch || os.arch();
        core.debug(`Caching tool ${tool} ${version} ${arch}`);
        core.debug(`source file: ${sourceFile}`);
        if (!fs.statSync(sourceFile).isFile()) {
            throw new Error('sourceFile is not a file');
        }
        // create the tool dir
        const destFolder = yield _createToolPath(tool, version, arch);
        // copy instead of move. move can fail on Windows due to
        // anti-virus software having an open handle on a file.
        const destPath = path.join(destFolder, targetFile);
        core.debug(`destination file ${destPath}`);
        yield io.cp(sourceFile, destPath);
        // write .complete
        _completeToolPath(tool, version, arch);
        return destFolder;
    });
}
/**
 * Finds the path to a tool version in the local installed tool cache
 *
 * @param toolName      name of the tool
 * @param versionSpec   version of the tool
 * @param arch          optional arch.  defaults to arch of computer
 */
function find(toolName, versionSpec, arch) {
    if (!toolName) {
        throw new Error('toolName parameter is required');
    }
    if (!versionSpec) {
        throw new Error('versionSpec parameter is required');
    }
    arch = arch || os.arch();
    // attempt to resolve an explicit version
    if (!isExplicitVersion(versionSpec)) {
        const localVersions = findAllVersions(toolName, arch);
        const match = evaluateVersions(localVersions, versionSpec);
        versionSpec = match;
    }
    // check for the explicit version in the cache
    let toolPath = '';
    if (versionSpec) {
        versionSpec = semver.clean(versionSpec) || '';
        const cachePath = path.join(_getCacheDirectory(), toolName, versionSpec, arch);
        core.debug(`checking cache: ${cachePath}`);
        if (fs.existsSync(cachePath) && fs.existsSync(`${cachePath}.complete`)) {
            core.debug(`Found tool in cache ${toolName} ${versionSpec} ${arch}`);
            toolPath = cachePath;
        }
        else {
            core.debug('not found');
        }
    }
    return toolPath;
}
/**
 * Finds the paths to all versions of a tool that are installed in the local tool cache
 *
 * @param toolName  name of the tool
 * @param arch      optional arch.  defaults to arch of computer
 */
function findAllVersions(toolName, arch) {
    const versions = [];
    arch = arch || os.arch();
    const toolPath = path.join(_getCacheDirectory(), toolName);
    if (fs.existsSync(toolPath)) {
        const children = fs.readdirSync(toolPath);
        for (const child of children) {
            if (isExplicitVersion(child)) {
                const fullPath = path.join(toolPath, child, arch || '');
                if (fs.existsSync(fullPath) && fs.existsSync(`${fullPath}.complete`)) {
                    versions.push(child);
                }
            }
        }
    }
    return versions;
}
function getManifestFromRepo(owner_1, repo_1, auth_1) {
    return tool_cache_awaiter(this, arguments, void 0, function* (owner, repo, auth, branch = 'master') {
        let releases = [];
        const treeUrl = `https://api.github.com/repos/${owner}/${repo}/git/trees/${branch}`;
        const http = new httpm.HttpClient('tool-cache');
        const headers = {};
        if (auth) {
            core.debug('set auth');
            headers.authorization = auth;
        }
        const response = yield http.getJson(treeUrl, headers);
        if (!response.result) {
            return releases;
        }
        let manifestUrl = '';
        for (const item of response.result.tree) {
            if (item.path === 'versions-manifest.json') {
                manifestUrl = item.url;
                break;
            }
        }
        headers['accept'] = 'application/vnd.github.VERSION.raw';
        let versionsRaw = yield (yield http.get(manifestUrl, headers)).readBody();
        if (versionsRaw) {
            // shouldn't be needed but protects against invalid json saved with BOM
            versionsRaw = versionsRaw.replace(/^\uFEFF/, '');
            try {
                releases = JSON.parse(versionsRaw);
            }
            catch (_a) {
                core.debug('Invalid json');
            }
        }
        return releases;
    });
}
function findFromManifest(versionSpec_1, stable_1, manifest_1) {
    return tool_cache_awaiter(this, arguments, void 0, function* (versionSpec, stable, manifest, archFilter = external_os_.arch()) {
        // wrap the internal impl
        const match = yield _findMatch(versionSpec, stable, manifest, archFilter);
        return match;
    });
}
function _createExtractFolder(dest) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        if (!dest) {
            // create a temp dir
            dest = external_path_.join(_getTempDirectory(), external_crypto_.randomUUID());
        }
        yield lib_io/* mkdirP */.U$(dest);
        return dest;
    });
}
function _createToolPath(tool, version, arch) {
    return tool_cache_awaiter(this, void 0, void 0, function* () {
        const folderPath = path.join(_getCacheDirectory(), tool, semver.clean(version) || version, arch || '');
        core.debug(`destination ${folderPath}`);
        const markerPath = `${folderPath}.complete`;
        yield io.rmRF(folderPath);
        yield io.rmRF(markerPath);
        yield io.mkdirP(folderPath);
        return folderPath;
    });
}
function _completeToolPath(tool, version, arch) {
    const folderPath = path.join(_getCacheDirectory(), tool, semver.clean(version) || version, arch || '');
    const markerPath = `${folderPath}.complete`;
    fs.writeFileSync(markerPath, '');
    core.debug('finished caching tool');
}
/**
 * Check if version string is explicit
 *
 * @param versionSpec      version string to check
 */
function isExplicitVersion(versionSpec) {
    const c = semver.clean(versionSpec) || '';
    core.debug(`isExplicit: ${c}`);
    const valid = semver.valid(c) != null;
    core.debug(`explicit? ${valid}`);
    return valid;
}
/**
 * Get the highest satisfiying semantic version in `versions` which satisfies `versionSpec`
 *
 * @param versions        array of versions to evaluate
 * @param versionSpec     semantic version spec to satisfy
 */
function evaluateVersions(versions, versionSpec) {
    let version = '';
    core.debug(`evaluating ${versions.length} versions`);
    versions = versions.sort((a, b) => {
        if (semver.gt(a, b)) {
            return 1;
        }
        return -1;
    });
    for (let i = versions.length - 1; i >= 0; i--) {
        const potential = versions[i];
        const satisfied = semver.satisfies(potential, versionSpec);
        if (satisfied) {
            version = potential;
            break;
        }
    }
    if (version) {
        core.debug(`matched: ${version}`);
    }
    else {
        core.debug('match not found');
    }
    return version;
}
/**
 * Gets RUNNER_TOOL_CACHE
 */
function _getCacheDirectory() {
    const cacheDirectory = process.env['RUNNER_TOOL_CACHE'] || '';
    ok(cacheDirectory, 'Expected RUNNER_TOOL_CACHE to be defined');
    return cacheDirectory;
}
/**
 * Gets RUNNER_TEMP
 */
function _getTempDirectory() {
    const tempDirectory = process.env['RUNNER_TEMP'] || '';
    (0,external_assert_.ok)(tempDirectory, 'Expected RUNNER_TEMP to be defined');
    return tempDirectory;
}
/**
 * Gets a global variable
 */
function _getGlobal(key, defaultValue) {
    /* eslint-disable @typescript-eslint/no-explicit-any */
    const value = global[key];
    /* eslint-enable @typescript-eslint/no-explicit-any */
    return value !== undefined ? value : defaultValue;
}
/**
 * Returns an array of unique values.
 * @param values Values to make unique.
 */
function _unique(values) {
    return Array.from(new Set(values));
}
//# sourceMappingURL=tool-cache.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(2116);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
