#!/usr/bin/env python
"""Open a notebook in JupyterLab in headless Chromium, Run All, screenshot it, and fail if anything went wrong.

What a reader does: JupyterLab on localhost (a free port, a random token, a copy of the notebook's folder as
--ServerApp.root_dir, fresh settings), the notebook opened in Chromium, "Run All Cells" (JupyterLab's own
`notebook:run-all-cells` command), wait until every cell ran and the kernel is idle, then a PNG screenshot.
Fails (exit 1, a message naming the cell) when the page shows an error dialog, the kernel dies, a cell's output is
an error/traceback, or a code cell did not run. JupyterLab, its kernels, Chromium and chromedriver are stopped on
every exit. Needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium chromium-driver`) and the
`selenium` package.

  python tools/browser_check.py                                  # nbs/index.ipynb -> _docs/browser_check.png
  python tools/browser_check.py /tmp/x/broken.ipynb --screenshot /tmp/broken.png
"""
import argparse, json, os, re, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
                "--window-size=1400,1000"]
# Fresh JupyterLab settings: every cell in the DOM (no windowing), the default kernel started without asking,
# no news/update checks (no network), no autosave into the copy.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

class CheckFailed(Exception): "The notebook or the page failed; the message says where."

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def log(msg, t0): print(f"[{time.time()-t0:5.1f} s] {msg}", flush=True)

class Lab:
    "A JupyterLab server on localhost over a temp copy of the notebook's folder; `stop()` ends it and its kernels."
    def __init__(self, nb_path, tmp, env_extra=None):
        self.port, self.token, self.tmp = free_port(), secrets.token_hex(16), Path(tmp)
        src = nb_path.parent
        self.root = self.tmp/"root"; self.root.mkdir()
        for p in src.iterdir():   # files copied (the run may write), sub-folders linked (data the notebook reads)
            if p.name.startswith(".") or p.name == "__pycache__": continue
            if p.is_dir(): (self.root/p.name).symlink_to(p.resolve(), target_is_directory=True)
            elif p.is_file(): shutil.copy2(p, self.root/p.name)
        settings = self.tmp/"user-settings"
        for rel, val in LAB_SETTINGS.items():
            f = settings/rel; f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(val))
        for d in ("config", "runtime", "workspaces"): (self.tmp/d).mkdir()
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(self.tmp/"config"), "JUPYTER_RUNTIME_DIR": str(self.tmp/"runtime"),
               "PYTHONUNBUFFERED": "1", **(env_extra or {})}
        self.log = open(self.tmp/"jupyterlab.log", "w")
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={self.tmp/'workspaces'}", "--ServerApp.open_browser=False",
               "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0: cmd.append("--allow-root")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.root,
                                     start_new_session=True)

    def url(self, path): return f"http://127.0.0.1:{self.port}{path}"

    def api(self, path, method="GET"):
        req = urllib.request.Request(self.url(path), method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=5) as r: return r.status, r.read()

    def wait_ready(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None: raise CheckFailed(f"JupyterLab exited with code {self.proc.returncode}:\n{self.tail()}")
            try:
                if self.api("/api/status")[0] == 200: return
            except OSError: pass
            time.sleep(0.3)
        raise CheckFailed(f"JupyterLab did not answer on port {self.port} within {timeout} s:\n{self.tail()}")

    def tail(self, n=3000):
        self.log.flush()
        return (self.tmp/"jupyterlab.log").read_text(errors="replace")[-n:]

    def stop(self):
        if self.proc.poll() is None:
            try: self.api("/api/shutdown", "POST")      # shuts the kernels down too
            except OSError: pass
            try: self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try: self.proc.wait(5)
                except subprocess.TimeoutExpired: os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait()
        self.log.close()

def start_chrome(tmp, chromium, chromedriver):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    for exe in (chromium, chromedriver):
        if not shutil.which(exe): raise CheckFailed(f"{exe} not found: apt-get install -y chromium chromium-driver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which(chromium)
    for f in CHROME_FLAGS + [f"--user-data-dir={tmp/'chrome-profile'}"]: opts.add_argument(f)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which(chromedriver), log_output=str(tmp/"chromedriver.log")), options=opts)

# Run in the page: JupyterLab's application object (exposed by --LabApp.expose_app_in_browser).
JS_FIND = """
const app = window.jupyterapp;
const nbw = app && app.shell ? Array.from(app.shell.widgets('main')).filter(w => w.content && w.sessionContext && w.context) : [];
const w = nbw.length ? nbw[0] : null;
"""
JS_PANEL = JS_FIND + """
if (!app || !app.shell) return null; if (!w) return 'no notebook panel yet';
const k = w.sessionContext.session && w.sessionContext.session.kernel;
return {ready: w.context.isReady, kernel: k ? k.status : null, name: w.context.path, cells: w.content.model.cells.length};
"""
JS_RUN_ALL = JS_FIND + """
const done = arguments[arguments.length - 1];
app.shell.activateById(w.id);
app.commands.execute('notebook:run-all-cells').then(r => done({ok: r}), e => done({error: String(e)}));
"""
JS_STATE = JS_FIND + """
const k = w.sessionContext.session && w.sessionContext.session.kernel;
const cells = [];
for (let i = 0; i < w.content.widgets.length; i++) {
  const c = w.content.widgets[i], m = c.model;
  if (m.type !== 'code') continue;
  const outs = m.outputs.toJSON();
  const err = outs.find(o => o.output_type === 'error');
  cells.push({i: i, count: m.executionCount, running: c.node.querySelector('.jp-InputPrompt') ?
              c.node.querySelector('.jp-InputPrompt').textContent.includes('*') : false,
              src: m.sharedModel.getSource().slice(0, 300),
              error: err ? (err.ename + ': ' + err.evalue) : null,
              tb: err ? (err.traceback || []).join('\\n').slice(-2000) : null});
}
const dom_err = [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
  .map(n => n.textContent).filter(t => /Traceback|Error:|Exception:/.test(t)).map(t => t.slice(-1500));
const dialogs = [...document.querySelectorAll('.jp-Dialog')].map(d => d.textContent.slice(0, 500));
const toasts = [...document.querySelectorAll('.Toastify__toast--error')].map(d => d.textContent.slice(0, 500));
return {kernel: k ? k.status : null, busy: w.sessionContext.isBusy || false, cells: cells, dom_err: dom_err,
        dialogs: dialogs, toasts: toasts};
"""

def wait_for(pred, timeout, what, poll=0.25):
    end, last = time.time() + timeout, None
    while time.time() < end:
        last = pred()
        if last: return last
        time.sleep(poll)
    raise CheckFailed(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")

def check(nb, screenshot, timeout=120, in_test=False, chromium="chromium", chromedriver="chromedriver"):
    t0 = time.time()
    nb = Path(nb).resolve()
    if not nb.is_file(): raise CheckFailed(f"{nb}: no such notebook")
    tmp = Path(tempfile.mkdtemp(prefix="browser_check_"))
    lab = driver = None
    try:
        lab = Lab(nb, tmp, {"IN_TEST": "1"} if in_test else None)
        lab.wait_ready(min(timeout, 60)); log(f"JupyterLab up on 127.0.0.1:{lab.port} (root {lab.root})", t0)
        driver = start_chrome(tmp, chromium, chromedriver); driver.set_script_timeout(timeout)
        driver.get(lab.url(f"/lab/tree/{nb.name}?reset&token={lab.token}")); log("Chromium opened the notebook", t0)

        seen = {}
        def opened():
            r = seen["panel"] = driver.execute_script(JS_PANEL)
            if isinstance(r, dict) and r["ready"] and r["kernel"] == "idle": return r
            dialogs = driver.execute_script("return [...document.querySelectorAll('.jp-Dialog')].map(d => d.textContent.slice(0,500))")
            if dialogs: raise CheckFailed(f"JupyterLab shows a dialog while opening {nb.name}: {dialogs}")
        info = wait_for(opened, min(timeout, 60), lambda: f"{nb.name} to open with an idle kernel (last seen: "
                        f"{seen.get('panel')}; null = no window.jupyterapp yet)")
        log(f"notebook open, kernel idle, {info['cells']} cells; Run All", t0)
        r = driver.execute_async_script(JS_RUN_ALL)
        if r.get("error"): raise CheckFailed(f"notebook:run-all-cells failed: {r['error']}")

        def finished():
            s = driver.execute_script(JS_STATE)
            if s["kernel"] in ("dead", "unknown", "autorestarting", "restarting"):
                ran = [c["i"] for c in s["cells"] if c["count"] is not None or c["running"]]
                last = next((c for c in s["cells"] if ran and c["i"] == ran[-1]), None)
                raise CheckFailed(f"the kernel died during Run All (status {s['kernel']})"
                                  + (f"; last cell started: {last['i']}:\n{last['src']}" if last else ""))
            if s["kernel"] == "idle" and not s["busy"] and not any(c["running"] for c in s["cells"]): return s
        state = wait_for(finished, timeout, "the kernel to finish Run All")
        time.sleep(0.5)     # let the last outputs render
        state = driver.execute_script(JS_STATE)
        log(f"Run All finished: kernel {state['kernel']}", t0)
        # the screenshot shows the first code cell that ran (or the failing one), with its output
        first = next((c["i"] for c in state["cells"] if c["error"]), None)
        if first is None: first = next((c["i"] for c in state["cells"] if c["count"] is not None), 0)
        driver.execute_script(JS_FIND + "w.content.activeCellIndex = arguments[0];"
                              "w.content.widgets[arguments[0]].node.scrollIntoView({block: 'center'});", first)
        time.sleep(0.3)
        screenshot = Path(screenshot); screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot)); log(f"screenshot {screenshot}", t0)

        problems = []
        for c in state["cells"]:
            if c["error"]:
                tb = re.sub(r"\x1b\[[0-9;]*m", "", c["tb"] or "")
                problems.append(f"cell {c['i']} raised {c['error']}\n--- cell source ---\n{c['src']}\n--- traceback ---\n{tb}")
        if not problems:
            for c in state["cells"]:
                if c["count"] is None and c["src"].strip():
                    problems.append(f"cell {c['i']} did not run (execution count empty):\n{c['src']}")
        if not problems and state["dom_err"]: problems.append("the page shows an error output:\n" + state["dom_err"][0])
        if state["dialogs"]: problems.append(f"the page shows a dialog: {state['dialogs']}")
        if state["toasts"]: problems.append(f"the page shows an error notification: {state['toasts']}")
        if problems: raise CheckFailed(f"{nb.name}: " + "\n".join(problems))
        ran = sum(c["count"] is not None for c in state["cells"])
        log(f"ok: {nb.name}: {ran}/{len(state['cells'])} code cells ran in JupyterLab, no errors", t0)
        return state
    except CheckFailed:
        _failure_shot(driver, screenshot); raise
    except Exception as e:
        _failure_shot(driver, screenshot)
        raise CheckFailed(f"{type(e).__name__}: {e}" + (f"\n--- JupyterLab log ---\n{lab.tail()}" if lab else "")) from e
    finally:
        if driver is not None:
            try: driver.quit()
            except Exception:
                try: driver.service.stop()
                except Exception: pass
        if lab is not None: lab.stop()
        shutil.rmtree(tmp, ignore_errors=True)

def _failure_shot(driver, screenshot):
    "On failure, still save what the page shows (the failing cell) to the screenshot path."
    if driver is None: return
    try:
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True); driver.save_screenshot(str(screenshot))
        print(f"(screenshot of the failing page: {screenshot})", file=sys.stderr)
    except Exception: pass

def _sigterm(signum, frame): raise SystemExit(128 + signum)   # so the `finally` above stops JupyterLab and Chromium

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook", nargs="?", default=str(ROOT/"nbs"/"index.ipynb"))
    ap.add_argument("--screenshot", default=str(ROOT/"_docs"/"browser_check.png"), help="PNG to write")
    ap.add_argument("--timeout", type=int, default=120, help="seconds allowed for Run All (and for start-up)")
    ap.add_argument("--in-test", action="store_true", help="set IN_TEST=1 in the kernel (heavy cells shrink)")
    ap.add_argument("--chromium", default="chromium"); ap.add_argument("--chromedriver", default="chromedriver")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    t0 = time.time()
    try:
        check(a.notebook, a.screenshot, a.timeout, a.in_test, a.chromium, a.chromedriver)
    except CheckFailed as e:
        print(f"browser check FAILED ({time.time()-t0:.0f} s): {e}", file=sys.stderr); return 1
    except ImportError as e:
        print(f"browser check FAILED: {e} (pip install selenium)", file=sys.stderr); return 1
    print(f"browser check passed in {time.time()-t0:.0f} s")
    return 0

if __name__ == "__main__": sys.exit(main())
