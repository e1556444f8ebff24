/** What the inputs ask of the base interpreter; read by discovery and by the manifest installer. */
export interface PythonRequest {
  pythonPath: string
  pythonVersion: string
  pythonVersionSource: string
  allowPrereleases: boolean
  /** Prefer the manifest's newest match over an older local one. */
  checkLatest: boolean
  /** The python-versions manifest to install from; '' for GitHub's. */
  pythonManifestUrl: string
  /** PyPy's versions manifest to install PyPy from; '' for downloads.python.org's. */
  pypyManifestUrl: string
  token: string
}
