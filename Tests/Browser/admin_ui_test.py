#!/usr/bin/env python3
"""Drives the admin web page in a real browser (Debian's chromium + chromedriver, headless)
against an already running daemon, and checks what the phones are then served.

Run by the Swift test harness; by hand:

    python3 Tests/Browser/admin_ui_test.py --admin http://127.0.0.1:18481 \
        --provisioning http://127.0.0.1:18480 --token-file /tmp/ap/admin.token \
        --screenshots /tmp/ap/shots --mac 00:15:65:12:34:56 --extension 204 \
        --discover-command 'autoprovision device add 00:15:65:12:34:56 --db /tmp/ap/db.sqlite'

Needs only the standard library and selenium 4. Prints one "PASS: ..." line per check; exits 1
on the first failure (with a screenshot failure.png in the screenshots directory).
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20            # upper bound of every wait on the page, seconds
HTTP_TIMEOUT = 5     # per provisioning request, seconds
HOSTILE_ACCOUNT = '<svg onload="window.__xss=2">'  # made by the harness as account 205's name
HOSTILE_NAME = '<img src=x onerror="window.__xss=1">'

# (file name, tab id) in the order of the page: SEED.md's six tabs, then the two extra views.
SCREENS = [
    ("01-phone-settings.png", "phones"),
    ("02-settings-templates.png", "templates"),
    ("03-uri-settings.png", "uri"),
    ("04-phone-book.png", "phonebook"),
    ("05-pnp-settings.png", "pnp"),
    ("06-firmware.png", "firmware"),
    ("07-device-status.png", "status"),
    ("08-accounts.png", "accounts"),
]


class Failure(Exception):
    """A check that did not hold; the message says what was expected and what was seen."""


def passed(message):
    print(f"PASS: {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def normalise_mac(text):
    compact = re.sub(r"[^0-9a-fA-F]", "", text).lower()
    if len(compact) != 12:
        raise SystemExit(f"--mac {text!r} is not a MAC address")
    return ":".join(compact[i:i + 2] for i in range(0, 12, 2)), compact


# ------------------------------------------------------------------------------------------------
# HTTP (what the phone sees)

def http_get(url, user_agent=None):
    """Returns (status, body bytes); status 0 and the error text when the server cannot be reached."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent} if user_agent else {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        return 0, str(error).encode()


def wait_http(url, predicate, timeout, what, user_agent=None):
    """Fetches url until predicate(status, body) holds, for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    status, body = 0, b""
    while True:
        status, body = http_get(url, user_agent)
        if predicate(status, body):
            return body
        if time.monotonic() >= deadline:
            text = body.decode("utf-8", "replace")
            raise Failure(f"{what}: GET {url} did not satisfy the check within {timeout} s; "
                          f"last answer {status}:\n{text[:2000]}")
        time.sleep(0.2)


# ------------------------------------------------------------------------------------------------
# Browser helpers

def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1366,900", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def css_tid(testid):
    return f'[data-testid="{testid}"]'


def wait_until(driver, condition, message, timeout=WAIT):
    """Waits for condition(driver) to be truthy; stale or missing elements just mean 'not yet'.
    message may be a callable, evaluated on failure so it shows the page's state at that moment."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
                             ).until(condition)
    except TimeoutException:
        text = message() if callable(message) else message
        raise Failure(f"{text} (waited {timeout} s)") from None


def element(driver, testid, message=None, visible=True):
    def find(d):
        found = d.find_element(By.CSS_SELECTOR, css_tid(testid))
        return found if (not visible or found.is_displayed()) else None
    return wait_until(driver, find, message or f"element [data-testid={testid}] did not appear")


def click(driver, testid):
    def attempt(d):
        found = d.find_element(By.CSS_SELECTOR, css_tid(testid))
        if not (found.is_displayed() and found.is_enabled()):
            return False
        found.click()
        return True
    wait_until(driver, attempt, f"could not click [data-testid={testid}]")


def type_into(driver, testid, text):
    field = element(driver, testid)
    field.clear()
    field.send_keys(text)
    return field


def select_value(driver, testid, value):
    def attempt(d):
        select = Select(d.find_element(By.CSS_SELECTOR, css_tid(testid)))
        if not any(o.get_attribute("value") == value for o in select.options):
            return False
        select.select_by_value(value)
        return True
    wait_until(driver, attempt, f"the select [data-testid={testid}] never offered the value {value!r}")


def text_of(driver, testid):
    try:
        return driver.find_element(By.CSS_SELECTOR, css_tid(testid)).text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def open_tab(driver, tab):
    """Clicks a tab and waits until its panel is shown and has (re)loaded its data."""
    driver.execute_script("const p = document.getElementById('panel-' + arguments[0]); if (p) delete p.dataset.loaded;", tab)
    click(driver, f"tab-{tab}")
    wait_until(driver, lambda d: d.find_element(By.ID, f"panel-{tab}").is_displayed()
               and d.find_element(By.ID, f"panel-{tab}").get_attribute("data-loaded") == "1",
               f"the tab '{tab}' did not show its loaded panel")


def take_screenshots(driver, directory):
    for name, tab in SCREENS:
        open_tab(driver, tab)
        driver.execute_script("const t = document.getElementById('toasts'); if (t) t.replaceChildren();")
        time.sleep(0.3)  # let the table paint after the data arrived
        path = os.path.join(directory, name)
        check(driver.save_screenshot(path), f"could not write the screenshot {path}")
    open_tab(driver, "phones")


# ------------------------------------------------------------------------------------------------
# The steps

def run(args):
    token = open(args.token_file, encoding="utf-8").read().strip()
    check(token, f"the token file {args.token_file} is empty")
    mac, compact = normalise_mac(args.mac)
    ext = args.extension
    admin = args.admin.rstrip("/")
    provisioning = args.provisioning.rstrip("/")
    config_url = f"{provisioning}/{compact}.cfg"
    phone_agent = f"Yealink SIP-T46S 66.86.0.15 {mac}"
    os.makedirs(args.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="admin-ui-test-")

    driver = make_driver()
    try:
        # a. Wrong token, then the right one. ------------------------------------------------------
        driver.get(admin + "/")
        element(driver, "login-token", "the login form (token field) was not shown")
        type_into(driver, "login-token", "not-the-token-" + hashlib.sha256(token.encode()).hexdigest()[:8])
        click(driver, "login-submit")
        error = wait_until(driver, lambda d: d.find_element(By.ID, "login-error").is_displayed()
                           and d.find_element(By.ID, "login-error").text.strip(),
                           "a wrong token did not make the page show an error")
        check("401" in error or "wrong" in error.lower() or "refused" in error.lower(),
              f"the error for a wrong token does not say it was refused: {error!r}")
        check(not driver.find_element(By.ID, "app").is_displayed(), "the app was shown for a wrong token")
        passed(f"a wrong token is refused with a visible error: {error!r}")

        type_into(driver, "login-token", token)
        click(driver, "login-submit")
        wait_until(driver, lambda d: d.find_element(By.ID, "app").is_displayed()
                   and d.find_element(By.ID, "panel-phones").get_attribute("data-loaded") == "1",
                   "the right token did not open the page (Phone settings never loaded)")
        check(not driver.find_element(By.ID, "login").is_displayed(), "the login form is still shown after signing in")
        stored = driver.execute_script("return sessionStorage.getItem('autoprovision.adminToken');")
        check(stored == token, "the token is not kept in sessionStorage")
        check(driver.execute_script("return localStorage.length;") == 0, "something was written to localStorage")
        passed("the right token opens the page; the token is kept in sessionStorage only")

        # Remember this document, and record every request the page makes from now on.
        driver.execute_script("""
            window.__marker = 1;
            window.__fetchLog = [];
            const original = window.fetch;
            window.fetch = function (input, init) {
              const headers = (init && init.headers) || {};
              window.__fetchLog.push({ url: String(input), method: (init && init.method) || 'GET',
                                       auth: headers.Authorization || headers.authorization || null,
                                       body: init && typeof init.body === 'string' ? init.body : null });
              return original.apply(this, arguments);
            };""")

        # b. Screenshots of every tab. --------------------------------------------------------------
        take_screenshots(driver, args.screenshots)
        passed(f"screenshots of the {len(SCREENS)} tabs written to {args.screenshots}")

        # c. A phone discovered by PnP appears without a reload. ------------------------------------
        open_tab(driver, "phones")
        result = subprocess.run(args.discover_command, shell=True, capture_output=True, text=True, timeout=60)
        check(result.returncode == 0, f"the discover command failed with {result.returncode}:\n"
                                      f"{result.stdout}\n{result.stderr}")
        started = time.monotonic()
        element(driver, f"device-row-{compact}", f"the discovered phone {mac} did not appear in Phone settings within {WAIT} s")
        check(driver.execute_script("return window.__marker;") == 1,
              "the page was reloaded (window.__marker is gone) — the table must update in place")
        check(text_of(driver, f"device-mac-{compact}") == mac, f"the row does not show the MAC {mac}")
        passed(f"the discovered phone {mac} appeared in the table after {time.monotonic() - started:.1f} s, same document")

        # d. Bind the extension through the row. -----------------------------------------------------
        line = element(driver, f"device-line-{compact}")
        check(line.get_attribute("value") == "1", "the row's line field does not start at line 1")
        type_into(driver, f"device-ext-{compact}", ext)
        click(driver, f"device-save-{compact}")
        wait_until(driver, lambda d: f"L1: {ext}" in text_of(d, f"device-lines-{compact}"),
                   lambda: f"after Save the row does not show line 1 bound to {ext} "
                           f"(row message: {text_of(driver, f'device-message-{compact}')!r})")
        saved_at = time.monotonic()
        wait_http(config_url, lambda s, b: s == 200 and f"account.1.user_name = {ext}".encode() in b, 3,
                  f"the phone's file after binding {ext}", phone_agent)
        passed(f"binding {ext} in the row is served in {compact}.cfg after {time.monotonic() - saved_at:.1f} s")

        # The phone's private URL is shown in its detail panel, and it opens the phone's file.
        click(driver, f"device-keys-{compact}")
        private = wait_until(driver, lambda d: (d.find_element(By.CSS_SELECTOR, css_tid(f"device-url-{compact}")).get_attribute("value") or None),
                             "the phone's detail panel does not show its private URL")
        check(re.fullmatch(r"http://[^/]+/p/[A-Za-z0-9_-]{22}/", private) is not None, f"the private URL {private!r} is not http://host:port/p/<token>/")
        token_url = provisioning + urllib.parse.urlsplit(private).path + f"{compact}.cfg"
        wait_http(token_url, lambda s, b: s == 200 and f"account.1.user_name = {ext}".encode() in b, 3,
                  "the phone's file through its private URL", phone_agent)
        click(driver, f"device-keys-{compact}")
        passed(f"the detail panel shows the private URL {urllib.parse.urlsplit(private).path[:6]}…/ and it serves {compact}.cfg")

        # e. A template with a live preview, assigned to the phone. ----------------------------------
        open_tab(driver, "templates")
        click(driver, "template-add")
        element(driver, "template-editor", "Add new did not open the template editor")
        type_into(driver, "template-name", "office")
        select_value(driver, "template-vendor", "yealink")
        body_one = ("#!version:1.0.0.1\n"
                    "account.1.user_name = {SIP_NUM}\n"
                    "account.1.sip_server_host = {PBX_HOST}\n"
                    "# marker-one\n")
        type_into(driver, "template-body", body_one)
        select_value(driver, "template-preview-mac", mac)
        wait_until(driver, lambda d: f"account.1.user_name = {ext}" in text_of(d, "template-preview")
                   and "# marker-one" in text_of(d, "template-preview"),
                   lambda: f"the preview for {mac} did not show account.1.user_name = {ext} and # marker-one; it shows:\n"
                           f"{text_of(driver, 'template-preview')}\nstate: {text_of(driver, 'template-preview-state')}")
        passed("the template preview renders the unsaved body for the chosen phone")

        type_into(driver, "template-body", body_one.replace("# marker-one", "# marker-two"))
        wait_until(driver, lambda d: "# marker-two" in text_of(d, "template-preview")
                   and "# marker-one" not in text_of(d, "template-preview"),
                   lambda: f"the preview did not follow the edit to # marker-two; it shows:\n{text_of(driver, 'template-preview')}")
        passed("the preview follows the edit (marker-one -> marker-two) without saving")

        click(driver, "template-save")
        wait_until(driver, lambda d: "Saved" in text_of(d, "template-status"),
                   lambda: f"saving the template failed: {text_of(driver, 'template-status')!r}")
        wait_until(driver, lambda d: any(c.text == "office" for c in d.find_elements(By.CSS_SELECTOR, css_tid("template-name-cell"))),
                   "the saved template 'office' is not in the list")
        passed("the template 'office' was saved and is listed")

        open_tab(driver, "phones")
        select_value(driver, f"device-template-{compact}", "office")
        click(driver, f"device-save-{compact}")
        wait_until(driver, lambda d: text_of(d, f"device-message-{compact}") == "Saved.",
                   lambda: f"assigning the template failed: {text_of(driver, f'device-message-{compact}')!r}")
        wait_http(config_url, lambda s, b: s == 200 and b"# marker-two" in b, 5,
                  "the phone's file after assigning 'office'", phone_agent)
        passed(f"the template 'office' is assigned in the row and served in {compact}.cfg")

        # f. Firmware upload with progress. ----------------------------------------------------------
        firmware_name = "T46S-66.86.0.15.rom"
        firmware_path = os.path.join(work, firmware_name)
        firmware_bytes = os.urandom(64 * 1024)
        with open(firmware_path, "wb") as file:
            file.write(firmware_bytes)
        open_tab(driver, "firmware")
        element(driver, "fw-file", visible=False).send_keys(firmware_path)
        select_value(driver, "fw-vendor", "yealink")
        type_into(driver, "fw-version", "66.86.0.15")
        type_into(driver, "fw-notes", "browser test")
        click(driver, "fw-upload")

        def progress_full(d):
            bar = d.find_element(By.CSS_SELECTOR, css_tid("fw-progress"))
            maximum = float(bar.get_property("max") or 0)
            return bar.is_displayed() and maximum > 0 and float(bar.get_property("value") or 0) >= maximum
        wait_until(driver, progress_full, lambda: f"the upload progress bar did not reach its maximum "
                                                  f"(status: {text_of(driver, 'fw-status')!r})")
        wait_until(driver, lambda d: "Uploaded" in text_of(d, "fw-status"),
                   lambda: f"the upload did not finish: {text_of(driver, 'fw-status')!r}")
        row_css = f'{css_tid("fw-row")}[data-file-name="{firmware_name}"]'
        row = wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, row_css), f"no firmware row for {firmware_name}")
        check("browser test" in row.text, f"the firmware row does not show the notes 'browser test': {row.text!r}")
        href = row.find_element(By.CSS_SELECTOR, "a").get_attribute("href")
        check(href and href.endswith("/" + firmware_name), f"the row's link {href!r} does not name {firmware_name}")
        passed(f"the upload progress bar reached its maximum and the row links {href}")

        config = wait_http(config_url, lambda s, b: s == 200 and b"firmware.url = " in b, 5,
                           "the phone's file after the firmware upload", phone_agent).decode("utf-8", "replace")
        served_url = re.search(r"^firmware\.url = (\S+)", config, re.M)
        passed(f"the phone's file names the firmware: firmware.url = {served_url.group(1) if served_url else '?'}")
        status, data = http_get(href, phone_agent)
        if status == 0:
            # The row's URL is built from pbx-host and the http-port setting; when the daemon runs
            # with --http-port, that port may differ from the one under test. Say so, then try the
            # same path on the provisioning URL given to this test.
            fallback = provisioning + urllib.parse.urlsplit(href).path
            print(f"NOTE: {href} is unreachable ({data.decode('utf-8', 'replace')}); fetching {fallback}", flush=True)
            status, data = http_get(fallback, phone_agent)
        check(status == 200, f"fetching the firmware gave {status}: {data[:300]!r}")
        check(data == firmware_bytes, f"the firmware served differs from the upload ({len(data)} bytes, "
                                      f"sha256 {hashlib.sha256(data).hexdigest()} vs "
                                      f"{hashlib.sha256(firmware_bytes).hexdigest()})")
        passed(f"the firmware URL serves exactly the {len(firmware_bytes)} uploaded bytes")

        # The row's details are edited in place: the model as the vendor writes it, a new version.
        row = driver.find_element(By.CSS_SELECTOR, row_css)
        row.find_element(By.CSS_SELECTOR, '[data-testid^="fw-edit-"]').click()
        type_into(driver, "fw-edit-model", "SIP T46S")
        type_into(driver, "fw-edit-version", "66.86.0.16")
        click(driver, "fw-edit-save")
        wait_until(driver, lambda d: "Saved" in text_of(d, "fw-status"),
                   lambda: f"saving the firmware details failed: {text_of(driver, 'fw-edit-status')!r} {text_of(driver, 'fw-status')!r}")
        row = wait_until(driver, lambda d: "66.86.0.16" in d.find_element(By.CSS_SELECTOR, row_css).text and d.find_element(By.CSS_SELECTOR, row_css),
                         "the firmware row does not show the new version 66.86.0.16")
        check("SIP T46S" in row.text, f"the firmware row does not show the model 'SIP T46S': {row.text!r}")
        # The phone reports itself as SIP-T46S: the model row is still its row.
        wait_http(config_url, lambda s, b: s == 200 and b"firmware.url = " in b, 5,
                  "the phone's file after the model was set", phone_agent)
        passed("the firmware row's version and model were changed in place, and the phone's file still names it")

        # g. PnP Settings: pbx-host. -----------------------------------------------------------------
        open_tab(driver, "pnp")
        driver.execute_script("window.__fetchLog.length = 0;")
        type_into(driver, "setting-pbx-host", "10.9.8.7")
        click(driver, "settings-save")
        wait_until(driver, lambda d: "Saved" in text_of(d, "settings-status"),
                   lambda: f"saving the settings failed: {text_of(driver, 'settings-status')!r}")
        patches = [e for e in driver.execute_script("return window.__fetchLog;")
                   if e["method"] == "PATCH" and e["url"].endswith("api/settings")]
        check(len(patches) == 1, f"expected one PATCH /api/settings, saw {patches}")
        check(json.loads(patches[0]["body"]) == {"pbx-host": "10.9.8.7"},
              f"the PATCH must carry only the changed key, it carried {patches[0]['body']}")
        wait_http(config_url, lambda s, b: s == 200 and b"10.9.8.7" in b, 5,
                  "the phone's file after setting pbx-host", phone_agent)
        passed("pbx-host 10.9.8.7 is saved with a PATCH of only that key and is in the phone's file")

        # g2. The Asterisk files, as `asterisk-conf` prints them: guest secret masked. -------------
        click(driver, "astconf-show")
        wait_until(driver, lambda d: "[autoprovision-bind]" in text_of(d, "astconf-extensions.conf"),
                   lambda: f"the Asterisk files did not show: {text_of(driver, 'astconf-status')!r}")
        check("password=********" in text_of(driver, "astconf-pjsip.conf"),
              "pjsip.conf must show the guest secret masked unless asked for")
        passed("the Asterisk dialplan and guest endpoint are shown, the guest secret masked")

        # h. Hostile text is shown as text. ----------------------------------------------------------
        open_tab(driver, "templates")
        click(driver, "template-add")
        type_into(driver, "template-name", HOSTILE_NAME)
        select_value(driver, "template-vendor", "yealink")
        type_into(driver, "template-body", "#!version:1.0.0.1\n# hostile name test\n")
        click(driver, "template-save")
        wait_until(driver, lambda d: "Saved" in text_of(d, "template-status"),
                   lambda: f"saving the hostile-named template failed: {text_of(driver, 'template-status')!r}")
        wait_until(driver, lambda d: any(c.text == HOSTILE_NAME for c in d.find_elements(By.CSS_SELECTOR, css_tid("template-name-cell"))),
                   "the template list does not show the hostile name as literal text")
        open_tab(driver, "phones")  # the name is also an option of the phone's template select
        wait_until(driver, lambda d: any(o.text == HOSTILE_NAME for o in
                                         Select(d.find_element(By.CSS_SELECTOR, css_tid(f"device-template-{compact}"))).options),
                   "the phone's template select does not offer the hostile name as text")
        time.sleep(1)  # give an injected <img onerror> every chance to fire
        check(driver.execute_script("return typeof window.__xss;") == "undefined",
              "window.__xss is set: a template name was rendered as HTML")
        check(driver.execute_script("return document.querySelectorAll('img').length;") == 0,
              "an <img> element exists in the page: a name was rendered as HTML")
        passed("a template named <img src=x onerror=...> is shown as literal text; window.__xss stays undefined")

        # i. Some more data on the other tabs, then the screenshots again. ---------------------------
        open_tab(driver, "uri")
        type_into(driver, "uri-path", "y000000000028.cfg")
        select_value(driver, "uri-template", "office")
        click(driver, "uri-add")
        wait_until(driver, lambda d: any("y000000000028.cfg" in r.text for r in d.find_elements(By.CSS_SELECTOR, css_tid("uri-row"))),
                   lambda: f"the URI mapping was not added: {text_of(driver, 'uri-status')!r}")
        passed("a URI mapping y000000000028.cfg -> office was added")

        open_tab(driver, "phonebook")
        type_into(driver, "pb-url", "http://127.0.0.1:9/phonebook/yealink.xml")
        type_into(driver, "pb-name", "Branch office")
        click(driver, "pb-add")
        wait_until(driver, lambda d: any("Branch office" in r.text for r in d.find_elements(By.CSS_SELECTOR, css_tid("pb-source-row"))),
                   lambda: f"the phonebook source was not added: {text_of(driver, 'pb-status')!r}")
        passed("a phonebook source was added")

        take_screenshots(driver, args.screenshots)
        passed(f"screenshots taken again with data, in {args.screenshots}")

        # Whole-run checks. --------------------------------------------------------------------------
        check(driver.execute_script("return window.__marker;") == 1, "the page was reloaded during the test")
        # Every tab was shown with the harness's hostile account name (phone book, accounts) and the hostile
        # template name in it; none of them ran.
        check(driver.execute_script("return typeof window.__xss;") == "undefined", "a hostile text field ran as script")
        open_tab(driver, "accounts")
        wait_until(driver, lambda d: HOSTILE_ACCOUNT in d.find_element(By.CSS_SELECTOR, css_tid("panel-accounts")).text,
                   "the hostile account name is not shown as literal text in Accounts")
        passed("hostile account and template names are shown as text everywhere and never run")
        log = driver.execute_script("return window.__fetchLog;")
        api_calls = [e for e in log if "/api/" in e["url"] or e["url"].startswith("api/")]
        bad = [e for e in api_calls if e["auth"] != f"Bearer {token}"]
        check(api_calls and not bad, f"API calls without the bearer token: {bad[:3]}")
        check(not any(re.search(r"[?&](access_)?token=", e["url"]) for e in api_calls), "the token was put in a URL")
        passed(f"all {len(api_calls)} recorded API calls carried Authorization: Bearer, none put the token in the URL")
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "Uncaught" in e.get("message", "")]
        check(not errors, "JavaScript errors in the console:\n" + "\n".join(e["message"] for e in errors))
        passed("no uncaught JavaScript errors in the console")
    except Failure:
        save_failure(driver, args.screenshots)
        raise
    except Exception:
        save_failure(driver, args.screenshots)
        raise
    finally:
        try:
            driver.quit()
        except WebDriverException:
            pass


def save_failure(driver, directory):
    try:
        driver.save_screenshot(os.path.join(directory, "failure.png"))
        toasts = driver.find_element(By.ID, "toasts").text
        if toasts:
            print(f"page messages: {toasts}", file=sys.stderr)
        for entry in driver.get_log("browser"):
            print(f"browser console: {entry.get('level')} {entry.get('message')}", file=sys.stderr)
    except Exception:  # the browser may be gone; the failure itself is what matters
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin", required=True, help="admin listener URL, e.g. http://127.0.0.1:18481")
    parser.add_argument("--provisioning", required=True, help="phones' HTTP URL, e.g. http://127.0.0.1:18480")
    parser.add_argument("--token-file", required=True, help="the admin.token file")
    parser.add_argument("--screenshots", required=True, help="directory for the screenshots")
    parser.add_argument("--mac", required=True, help="MAC of the Yealink phone the discover command makes appear")
    parser.add_argument("--discover-command", required=True, help="shell command that makes the phone appear")
    parser.add_argument("--extension", required=True, help="extension with a local account, e.g. 204")
    args = parser.parse_args()
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            print(f"FAIL: {path} is missing (apt-get install chromium chromium-driver)", flush=True)
            return 1
    try:
        run(args)
    except Failure as failure:
        print(f"FAIL: {failure}", flush=True)
        return 1
    except Exception:  # an unexpected error is a failure too, with its traceback
        print("FAIL: unexpected error\n" + traceback.format_exc(), flush=True)
        return 1
    print("PASS: all admin UI checks", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
