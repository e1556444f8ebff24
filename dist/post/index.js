import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

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
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8070);


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

/***/ 1731:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _action_entry_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9682);
/* harmony import */ var _post_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1843);
// The bundle's entry (dist/post/index.js): runs the post step (see src/bin/main.ts).


await (0,_action_entry_js__WEBPACK_IMPORTED_MODULE_0__/* .runStep */ .e)("venv-guard's post step", _post_js__WEBPACK_IMPORTED_MODULE_1__/* .run */ .e);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 1843:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ post_run)
});

// EXTERNAL MODULE: ./src/report/diagnostic.ts
var diagnostic = __nccwpck_require__(1751);
// EXTERNAL MODULE: ./src/report/log.ts + 1 modules
var report_log = __nccwpck_require__(8070);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var lib_core = __nccwpck_require__(3838);
;// CONCATENATED MODULE: ./src/action/state.ts

/** The names of the main -> post state, one per fact. */
const State = { Cache: 'cache', UserSite: 'user-site' };
const isString = v => typeof v === 'string';
const optional = (check) => v => v === undefined || check(v);
const shape = (fields) => v => typeof v === 'object' &&
    v !== null &&
    Object.entries(fields).every(([k, check]) => check(v[k]));
const CHECKS = {
    cache: shape({
        cacheDir: isString,
        venv: optional(shape({
            path: isString,
            key: isString,
            snapshot: isString,
            inputs: v => typeof v === 'object' && v !== null && Object.values(v).every(isString)
        })),
        pip: optional(shape({ path: isString, key: isString }))
    }),
    'user-site': shape({
        userSite: isString,
        entries: v => Array.isArray(v) && v.every(isString),
        policy: v => v === 'fail' || v === 'warn' || v === 'ignore'
    })
};
function saveState(name, value) {
    core.saveState(name, JSON.stringify(value));
}
/** What main saved under the name; undefined when it saved nothing. Throws when it is malformed. */
function readState(name) {
    const text = lib_core.getState(name);
    if (!text)
        return undefined;
    const value = JSON.parse(text);
    if (!CHECKS[name](value))
        throw new Error(`the saved state '${name}' is malformed: ${text}`);
    return value;
}

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
        (0,report_log/* warn */.R8)(`Could not write the job summary: ${error.message}`);
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

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
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
const MAX_REQUIREMENTS_BYTES = (/* unused pure expression or super */ null && (32 * 1024 * 1024));
/**
 * Why a file cannot be a requirements file, checked before it is opened: only a regular file of a
 * sane size is read, so that `-r /dev/zero`, a FIFO or a huge file cannot hang the step.
 */
function requirementsFileProblem(file) {
    let stat;
    try {
        stat = fs.statSync(file);
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
function requirements_file_readRequirementsFile(file) {
    const problem = requirementsFileProblem(file);
    if (problem)
        throw new FileProblemError(problem);
    return fs.readFileSync(file);
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
            this.digests.set(file, digestOf(bytes));
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
function digestOf(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
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

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: ./src/platform/os.ts



function currentOs() {
    const os = process.platform;
    if (os === 'win32' || os === 'darwin')
        return os;
    return 'linux';
}
function pathFor(os) {
    return os === 'win32' ? path.win32 : path.posix;
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
    return external_node_path_namespaceObject.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'tar.exe');
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
    return { LD_LIBRARY_PATH: prependSearchPath(path.posix.join(prefix, 'lib'), current, os) };
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
        return fs.realpathSync(file);
    }
    catch {
        return path.resolve(file);
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
        return fs
            .readdirSync(p.join(venv, 'lib'), { withFileTypes: true })
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
            osRelease = fs.readFileSync(file, 'utf8');
            break;
        }
        catch {
            // the next candidate
        }
    }
    return osVersion(os, osRelease, nodeOs.release());
}
/**
 * pip's cache directory as pip itself chooses it (PIP_CACHE_DIR, else the platform's user cache
 * directory), or undefined when PIP_NO_CACHE_DIR turns the cache off.
 */
function os_pipCacheDir(env, home, os = currentOs()) {
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
        external_node_fs_.accessSync(file, external_node_fs_.constants.X_OK);
        return external_node_fs_.statSync(file).isFile();
    }
    catch {
        return false;
    }
}
/** The files named `names` in PATH's directories that pass `isExecutable`, each name in PATH order. */
function executablesOnPath(pathVar, names, os = currentOs(), isExecutable = isExecutableFile) {
    const dirs = pathVar.split(searchPathDelimiter(os)).filter(d => d !== '');
    return names.flatMap(name => dirs.map(dir => external_node_path_namespaceObject.join(dir, name)).filter(isExecutable));
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

;// CONCATENATED MODULE: ./src/cache/pip-cache-dir.ts




/** pip's cache directory for this run's pip runs: the last --cache-dir/--no-cache-dir in pip-args wins. */
function pipCacheDirOf(pipArgs, cwd, env, home) {
    for (let i = pipArgs.length - 1; i >= 0; i--) {
        const arg = pipArgs[i];
        if (arg === '--no-cache-dir')
            return undefined;
        if (arg.startsWith('--cache-dir='))
            return path.resolve(cwd, arg.slice('--cache-dir='.length));
        if (arg === '--cache-dir' && i + 1 < pipArgs.length)
            return path.resolve(cwd, pipArgs[i + 1]);
    }
    const dir = pipCacheDir(env, home);
    return dir && path.resolve(cwd, dir);
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
        (0,report_log/* warn */.R8)(problem);
    return problem === undefined;
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
        for (const entry of sortedEntries(external_node_path_namespaceObject.join(dir, relative))) {
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
        const full = external_node_path_namespaceObject.join(venv, relative);
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
const snapshot_digestOf = (text) => (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex');
/**
 * The digest of everything under `dir`, bytecode included: for a directory that holds no content
 * record (the tool seed), taken when main is done and again in post.
 */
function treeDigest(dir) {
    const entries = walk(dir, false);
    return snapshot_digestOf(JSON.stringify(content(dir, new Set(bytecodeIn(entries)), entries)));
}
/** The venv's content record, if it is a file (never a link to one). */
function readRecord(venv) {
    const file = external_node_path_namespaceObject.join(venv, CONTENT_RECORD);
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
        for (const entry of fs.readdirSync(path.join(venv, relative), { withFileTypes: true })) {
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
        const full = path.join(venv, relative);
        if (!present(full))
            continue;
        fs.rmSync(full, { recursive: true, force: true });
        removed++;
    }
    return removed;
}
/** Whether anything is at `file`, a dangling symbolic link too. */
function present(file) {
    try {
        fs.lstatSync(file);
        return true;
    }
    catch {
        return false;
    }
}
/** main's list of the venv's bytecode, kept in the venv so that it travels with the archive. */
const BYTECODE_LIST = 'venv-guard-bytecode.json';
function readBytecodeList(venv) {
    const file = external_node_path_namespaceObject.join(venv, BYTECODE_LIST);
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
    const stamp = path.join(venv, RESTORE_STAMP);
    try {
        fs.writeFileSync(stamp, '', { flag: 'wx' });
        return fs.lstatSync(stamp).ctimeMs;
    }
    catch {
        return undefined;
    }
    finally {
        fs.rmSync(stamp, { force: true });
    }
}
/** Writes one of main's files in the venv anew: never through a link a restored archive held. */
function writeOwn(file, text) {
    fs.rmSync(file, { force: true, recursive: true });
    fs.writeFileSync(file, text, { flag: 'wx' });
}
/**
 * Called when main is done: lists the venv's bytecode in it, records its content, and returns the
 * record's digest. `restored` (stampRestore) is when the venv was restored from an archive whose
 * record lists its files: a file whose status changed before then keeps its recorded hash (a
 * record that lies only makes the post step refuse to save, as it hashes every file).
 */
function recordVenvContent(venv, restored) {
    const unchanged = restored === undefined ? undefined : { files: recordedFiles(venv), before: restored };
    const list = path.join(venv, BYTECODE_LIST);
    // There before the walk; filled before its content is read.
    writeOwn(list, '');
    const entries = walk(venv);
    const bytecode = bytecodeIn(entries);
    writeOwn(list, JSON.stringify(bytecode));
    const text = JSON.stringify(content(venv, new Set(bytecode), entries, unchanged));
    writeOwn(path.join(venv, CONTENT_RECORD), text);
    return snapshot_digestOf(text);
}
/**
 * The digest as the post step sees it, every file hashed anew: equal to main's when no later step
 * changed the venv, its content record included.
 */
function currentVenvContent(venv) {
    const text = JSON.stringify(content(venv, readBytecodeList(venv), walk(venv)));
    return readRecord(venv) === text ? snapshot_digestOf(text) : `not the content record: ${snapshot_digestOf(text)}`;
}
/**
 * Called right after a restore, before anything runs in the venv; `entries`, where the restore
 * listed what it put there (RestoredEntry), spare a walk.
 */
function dropUnlistedBytecode(venv, entries) {
    return dropUnknownBytecode(venv, readBytecodeList(venv), entries);
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
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
    const stop = treeStop(child.pid, signal);
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
                detached: ownProcessGroup(),
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
function process_scratchDir() {
    return process.env.RUNNER_TEMP || os.tmpdir();
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
                    open(external_node_path_namespaceObject.join(dir, entry.name));
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
    return path.join(path.dirname(fileURLToPath(moduleUrl)), name);
}

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
    const base = `./${external_node_path_namespaceObject.basename(dir)}`;
    const linked = [];
    const rest = [];
    const walk = (full, name) => {
        for (const entry of external_node_fs_.readdirSync(full, { withFileTypes: true })
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            const child = external_node_path_namespaceObject.join(full, entry.name);
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
        for (let d = external_node_path_namespaceObject.posix.dirname(file); d !== base; d = external_node_path_namespaceObject.posix.dirname(d))
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
    return run(tarCommand(), args, { handOver });
}
async function tar(args, handOver) {
    succeeded('tar', await runTar(args, handOver));
}
/** How many parts a venv is saved in (see parts.ts): as many tars unpack them at once. */
const PARTS = 4;
function onPath(program) {
    return executablesOnPath(process.env.PATH ?? '', [executableName(program)]).length > 0;
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
                (0,report_log/* info */.pq)(`Cache: ${external_node_path_namespaceObject.join(root, entry.name)} is not a regular file; it is never used.`);
            }
            return [];
        }
        try {
            return [{ name: entry.name, mtimeMs: external_node_fs_.lstatSync(external_node_path_namespaceObject.join(root, entry.name)).mtimeMs }];
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
        for (const entry of external_node_fs_.readdirSync(external_node_path_namespaceObject.join(dir, relative), { withFileTypes: true })) {
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
            (0,report_log/* info */.pq)(`Cache: ${archive} did not unpack in parts (${error.message}); unpacking it whole.`);
            removeAll(tree);
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
    const intos = runs.map((_, i) => external_node_path_namespaceObject.join(scratch, `part-${i}`));
    for (const into of intos)
        external_node_fs_.mkdirSync(into);
    const parts = runs.map((range, i) => ({
        into: intos[i],
        unpacked: unpackRange(fd, range, external_node_path_namespaceObject.join(scratch, `${i}.tar`), intos[i])
    }));
    const listed = await allDone(parts.map(({ into, unpacked }) => unpacked.then(() => listTree(into))));
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
    const reader = rangeReader(range);
    if (!reader || !onPath(reader.command)) {
        copyRange(fd, range, copy);
        return tar([...unpack, '-f', copy]);
    }
    let bytes;
    const reading = run(reader.command, reader.args, {
        handOver: fd,
        pipeTo: stdout => (bytes = stdout)
    });
    const [read, unpacked] = await allDone([reading, runTar([...unpack, '-f', '-'], bytes)]);
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
        const source = external_node_path_namespaceObject.join(from, name);
        const target = external_node_path_namespaceObject.join(into, name);
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
    const parent = external_node_path_namespaceObject.dirname(dir);
    external_node_fs_.mkdirSync(parent, { recursive: true });
    const scratch = external_node_fs_.mkdtempSync(external_node_path_namespaceObject.join(parent, '.venv-guard-restore-'));
    return withScratch(scratch, async () => {
        try {
            const tree = external_node_path_namespaceObject.join(scratch, 'tree');
            external_node_fs_.mkdirSync(tree);
            const { entries, special } = await withOpenArchive(archive, fd => unpack(archive, fd, scratch, tree));
            if (special)
                throw new Error(`it holds ${special}, which is no file, directory or link`);
            const base = external_node_path_namespaceObject.basename(dir);
            const unpacked = external_node_path_namespaceObject.join(tree, base);
            if (!isDirectory(unpacked))
                throw new Error(`it holds no directory ${base}`);
            external_node_fs_.mkdirSync(dir, { recursive: true });
            if (external_node_fs_.readdirSync(dir).length > 0) {
                (0,report_log/* info */.pq)(`Cache: ${dir} was filled by another job meanwhile; it is used as that job left it.`);
                return {};
            }
            for (const entry of external_node_fs_.readdirSync(unpacked)) {
                external_node_fs_.renameSync(external_node_path_namespaceObject.join(unpacked, entry), external_node_path_namespaceObject.join(dir, entry));
            }
            (0,report_log/* info */.pq)(`Restored ${dir} from ${archive}`);
            return {
                entries: entries.flatMap(name => name.startsWith(`${base}/`) ? [name.slice(base.length + 1)] : [])
            };
        }
        catch (error) {
            (0,report_log/* warn */.R8)(`Could not restore ${dir} from ${archive}: ${error.message}`);
            return undefined;
        }
    });
}
/**
 * `dir` as one tar (parts.ts) at `archive`: in parts where they are written, else, or where this
 * tar cannot write them (BusyBox's has no `-b` or `-T`), in one piece, its index naming one part.
 */
async function pack(dir, archive, work) {
    if (savesArchivesInParts()) {
        try {
            return await packParts(dir, archive, work);
        }
        catch (error) {
            (0,report_log/* info */.pq)(`Cache: ${dir} was not archived in parts (${error.message}); archiving it whole.`);
            removeAll(archive);
            removeAll(work);
        }
    }
    // A name starting with '-' is not an option.
    await tar(['-c', '-f', archive, '-C', external_node_path_namespaceObject.dirname(dir), '--', external_node_path_namespaceObject.basename(dir)]);
    external_node_fs_.appendFileSync(archive, indexTrailer([external_node_fs_.statSync(archive).size]));
}
/** `dir` as one tar in parts (parts.ts), written to `archive` through the scratch `work`. */
async function packParts(dir, archive, work) {
    external_node_fs_.mkdirSync(work);
    const runs = splitEntries(dir, PARTS);
    const parts = runs.map((_, i) => external_node_path_namespaceObject.join(work, `${i}.tar`));
    await allDone(runs.map(async (names, i) => {
        const list = external_node_path_namespaceObject.join(work, `${i}.list`);
        external_node_fs_.writeFileSync(list, names.map(name => `${name}\0`).join(''));
        // One 512-byte block per record, so that a part ends in exactly two zero blocks.
        const listed = ['--no-recursion', '--null', '-T', list];
        await tar(['-c', '-b', '1', '-f', parts[i], '-C', external_node_path_namespaceObject.dirname(dir), ...listed]);
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
                const restored = await restoreArchive(external_node_path_namespaceObject.join(root, found.name), dir);
                if (restored)
                    return { key: found.key, ...restored };
            }
            return undefined;
        },
        async save(dir, key, unchanged) {
            external_node_fs_.mkdirSync(root, { recursive: true });
            const extension = FORMATS[0];
            const temporary = external_node_path_namespaceObject.join(root, `.${key}.${process.pid}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}${extension}`);
            const work = `${temporary}.parts`;
            return withScratch(temporary, () => withScratch(work, async () => {
                await pack(dir, temporary, work);
                if (unchanged && !unchanged()) {
                    (0,report_log/* warn */.R8)(`Cache: ${dir} changed while it was archived (a process a later step started?); the archive is discarded, not saved.`);
                    return false;
                }
                external_node_fs_.renameSync(temporary, external_node_path_namespaceObject.join(root, `${key}${extension}`));
                // One entry per key: an earlier version's, in another format, would linger.
                for (const other of FORMATS.slice(1))
                    external_node_fs_.rmSync(external_node_path_namespaceObject.join(root, `${key}${other}`), { force: true });
                (0,report_log/* info */.pq)(`Saved ${dir} to ${external_node_path_namespaceObject.join(root, key + extension)}`);
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
    if (!external_node_path_namespaceObject.relative(workspace ?? process.cwd(), dir).startsWith('-'))
        return call();
    process.env.GITHUB_WORKSPACE = external_node_path_namespaceObject.parse(dir).root;
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
    const cache = await __nccwpck_require__.e(/* import() */ 863).then(__nccwpck_require__.bind(__nccwpck_require__, 1863));
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
                (0,report_log/* warn */.R8)(`Cache: ${dir} changed while it was archived and uploaded (a process a later step started?); the entry ${key} may hold those changes. Delete it: gh cache delete ${key}`);
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
        (0,report_log/* info */.pq)("Cache: GitHub's cache service is not available here (no ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL); set cache-dir to cache in a local directory.");
    }
    return store;
}
/** Only an absent or empty directory is restored into (and a pip cache saved only when it holds something). */
function store_isEmptyOrAbsent(dir) {
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
        info(`Cache: ${dir} exists already; it is used as it is, not restored.`);
        return { occupied: true };
    }
    let restored;
    try {
        restored = await store.restore(dir, key, prefixes);
    }
    catch (error) {
        warn(`Could not restore ${dir} from ${store.name}: ${errorMessage(error)}`);
    }
    if (!restored && store.unpacksInPlace && !isEmptyOrAbsent(dir)) {
        fs.rmSync(dir, { recursive: true, force: true });
        info(`Cache: removed what the failed restore left in ${dir}.`);
    }
    return { occupied: false, matched: restored?.key, entries: restored?.entries };
}
/**
 * Saves `dir` under `key` in the post step; a failure is a warning (or, for what only speeds a
 * later run up and another job saves as well, a line in the log), never an error.
 */
async function saveDir(store, dir, key, what, failure = report_log/* warn */.R8, unchanged) {
    let saved;
    try {
        saved = await store.save(dir, key, unchanged);
    }
    catch (error) {
        failure(`Could not save ${what} to ${store.name}: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
        return;
    }
    if (saved)
        (0,report_log/* info */.pq)(`Cache: saved ${what} to ${store.name} (${key}).`);
    else
        failure(`Cache: ${what} was not saved to ${store.name} (${key}); see the message above: another job may be saving the same key, or this run's token may only read the cache (pull requests from forks). The next run installs afresh.`);
}

;// CONCATENATED MODULE: ./src/cache/save.ts








/** The post step: saves the venv main handed over, if its inputs and content are still as main left them. */
async function saveVenv(store, venv) {
    if (!external_node_fs_.existsSync(venv.path)) {
        (0,report_log/* info */.pq)(`Cache: the venv ${venv.path} is gone; nothing to save.`);
        return;
    }
    const changed = Object.entries(venv.inputs)
        .filter(([file, digest]) => fileDigest(file) !== digest)
        .map(([file]) => file);
    if (changed.length > 0) {
        (0,report_log/* warn */.R8)(`Cache: the venv was not saved: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''} changed since venv-guard read ${changed.length === 1 ? 'it' : 'them'}, so pip may have installed from other bytes than the cache key describes. The next run installs afresh.`);
        return;
    }
    // Asked before the archive is written and again after: a process a later step left running can change it meanwhile.
    const unchanged = () => currentVenvContent(venv.path) === venv.snapshot;
    if (!unchanged()) {
        (0,report_log/* warn */.R8)(`Cache: the venv was not saved: a later step changed it (installed, removed or edited something, bytecode included), and the cache must hold only what this action installed. Give such packages to this action's packages or requirements input instead.`);
        return;
    }
    await saveDir(store, venv.path, venv.key, 'the venv', report_log/* warn */.R8, unchanged);
}
/** The post step: saves pip's cache, if it holds something and still pip's cache alone. */
async function savePipCache(store, saved) {
    if (store_isEmptyOrAbsent(saved.path) || !pipCacheIsPips(saved.path))
        return;
    await saveDir(store, saved.path, saved.key, "pip's cache");
}
/** The post step: saves the tool seed main kept, if it is still as main kept it. */
async function saveSeed(store, seed) {
    if (store_isEmptyOrAbsent(seed.path))
        return;
    const unchanged = () => treeDigest(seed.path) === seed.snapshot;
    if (!unchanged()) {
        (0,report_log/* warn */.R8)(`Cache: the tool seed ${seed.path} was not saved: a later step changed it, and the cache must hold only what pip installed.`);
        return;
    }
    // Jobs of one interpreter each keep the same seed (a matrix): one saves it, the others need not warn.
    await saveDir(store, seed.path, seed.key, 'the tool seed', report_log/* info */.pq, unchanged);
}
/** The post step: saves what main asked for. Never fails the job: every problem is a warning. */
async function saveCaches(state) {
    try {
        const store = await openStore(state.cacheDir);
        if (!store)
            return;
        if (state.venv)
            await saveVenv(store, state.venv);
        if (state.pip)
            await savePipCache(store, state.pip);
        if (state.seed)
            await saveSeed(store, state.seed);
    }
    catch (error) {
        (0,report_log/* warn */.R8)(`Cache: could not save: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/pip/names.ts

/** A project's name as pip compares them (PEP 503): case and runs of `-_.` do not matter. */
function names_normalizeName(name) {
    return name.toLowerCase().replace(/[-_.]+/g, '-');
}
/** The project a requirement or a wheel names (`pip==24.2`, `.../pip-24.2-py3-none-any.whl` -> pip). */
function names_projectOf(requirementOrWheel) {
    const base = path.basename(requirementOrWheel);
    const name = base.endsWith('.whl')
        ? base.split('-')[0]
        : (/^[A-Za-z0-9._-]+/.exec(requirementOrWheel)?.[0] ?? requirementOrWheel);
    return names_normalizeName(name);
}

;// CONCATENATED MODULE: ./src/pip/dist-info.ts



/**
 * A dist-info directory's project and version, from its name (`Mixed_Case.Name-1.0.dist-info`,
 * the project normalized); undefined for anything else.
 */
function dist_info_distInfoName(entry) {
    const m = /^(.+?)-([^-]+)\.dist-info$/.exec(entry);
    return m ? { name: normalizeName(m[1]), version: m[2] } : undefined;
}
/** The dist-info directory of a project at a version in site-packages, if it is there. */
function findDistInfo(sitePackages, dist, listing) {
    let entries;
    try {
        entries = listing ?? fs.readdirSync(sitePackages);
    }
    catch {
        return undefined;
    }
    return entries.find(entry => {
        const parsed = dist_info_distInfoName(entry);
        return parsed?.name === normalizeName(dist.name) && parsed.version === dist.version;
    });
}
/**
 * The paths a dist-info directory's RECORD lists (its first column, relative to site-packages;
 * a path with a comma stays quoted), or undefined where it has no readable RECORD.
 */
function recordPaths(sitePackages, distInfo) {
    try {
        return fs
            .readFileSync(path.join(sitePackages, distInfo, 'RECORD'), 'utf8')
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
            title: `Upgrade ${upgrade.map(u => path.basename(u)).join(' ')}`,
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
function plan_installedVersions(sitePackages, names) {
    const wanted = new Set(names.map(normalizeName));
    const versions = {};
    let entries = [];
    try {
        entries = fs.readdirSync(sitePackages);
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
    return path.join(scratchDir(), `venv-guard-report-${process.pid}-${index}.json`);
}

;// CONCATENATED MODULE: ./src/guard/site.ts




/** Whether a directory is inside another (or is it). */
function isInside(dir, parent) {
    const relative = path.relative(parent, dir);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
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

;// CONCATENATED MODULE: ./src/guard/audit.ts



/**
 * The post step: what later steps put into the user site-packages, annotated per on-user-site.
 * Returns whether that fails the job.
 */
function auditUserSite(state) {
    try {
        const added = addedEntries(state.entries, distributionEntries(state.userSite));
        if (added.length === 0) {
            (0,report_log/* info */.pq)(`The user site-packages ${state.userSite} gained nothing after venv-guard's step.`);
            return false;
        }
        const message = `After venv-guard's step, the user site-packages ${state.userSite} gained ${added.map(distributionLabel).join(', ')}: a later step ran pip outside the venv, which fell back there (or was told to), where other users and jobs do not see them. Install with the venv's pip (\`python -m pip\` with the venv activated) instead; if the user site is intended, set on-user-site: warn or ignore.`;
        const title = 'venv-guard: later steps installed into the user site-packages';
        if (state.policy === 'ignore')
            (0,report_log/* info */.pq)(message);
        else
            (0,report_log/* tell */.qz)({ severity: state.policy === 'fail' ? 'error' : 'warning', message, title });
        return state.policy === 'fail';
    }
    catch (error) {
        (0,report_log/* warn */.R8)(`venv-guard could not audit the user site-packages: ${(0,diagnostic/* errorMessage */.gJ)(error)}`);
        return false;
    }
}

;// CONCATENATED MODULE: ./src/post.ts







/** main's state under a name, or undefined (with a warning) when it cannot be read. */
function stateOf(name, what) {
    try {
        return readState(name);
    }
    catch (caught) {
        (0,report_log/* warn */.R8)(`venv-guard could not ${what}: ${(0,diagnostic/* errorMessage */.gJ)(caught)}`);
        return undefined;
    }
}
/**
 * The post step, from what main left in the state. The audit runs first: a failed save is only a
 * warning, but an audit finding may fail the job.
 */
async function post_run() {
    onCancel(signal => (0,report_log/* tell */.qz)({
        severity: 'error',
        message: `venv-guard's post step was cancelled (${signal}): what it started is stopped.`
    }));
    const userSite = stateOf(State.UserSite, 'audit the user site-packages');
    if (userSite && auditUserSite(userSite))
        process.exitCode = 1;
    const cache = stateOf(State.Cache, 'save');
    if (cache)
        await saveCaches(cache);
    await writePostSummary((0,report_log/* toldSoFar */.d1)());
}


/***/ }),

/***/ 1751:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   lZ: () => (/* binding */ ActionError)
/* harmony export */ });
/* unused harmony export inputError */
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

/***/ 8070:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Qb: () => (/* binding */ UntrustedOutput),
  mw: () => (/* binding */ afterOutput),
  pq: () => (/* binding */ info),
  qz: () => (/* binding */ tell),
  d1: () => (/* binding */ toldSoFar),
  R8: () => (/* binding */ warn)
});

// UNUSED EXPORTS: ANNOTATION_CAP, forgetTold, group, neutralise, notify, pauseUntrustedOutput, showOutput

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var lib_core = __nccwpck_require__(3838);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/report/secrets.ts

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
    lib_core.setSecret(secret);
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

;// CONCATENATED MODULE: ./src/report/log.ts



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
    lib_core.info(neutralise(text));
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
    const masked = { ...diagnostic, message: maskUrlCredentials(diagnostic.message) };
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
        lib_core[masked.severity](masked.message);
    else
        lib_core[masked.severity](masked.message, properties);
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
    return core.group(title, work);
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
        this.token = (0,external_node_crypto_.randomUUID)();
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

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

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

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

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
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 4 modules
var exec = __nccwpck_require__(5334);
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

/***/ 5334:
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
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
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
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
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
/******/ var __webpack_exports__ = __nccwpck_require__(1731);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
