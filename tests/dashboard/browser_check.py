"""The dashboard in headless chromium, driven through chromium-driver (WebDriver, python3-selenium).

Run by dashboard_tests with a daemon and the simulator already up: the leader has no position. Checks
what a trader relies on: the page fills in without a reload, a leader entry reaches every follower's
row within a second, flatten (with the token the address carries) flattens the follower in the
simulator's ledger, an action without the token is refused, and the page fits 1280x800 and a phone.
Exit 0 when every check passed; each failure is printed.
"""
import argparse
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def sim(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def position(port, account, contract="CON.F.US.MES.U26"):
    for p in sim(port, "GET", f"/ledger?account={account}")["positions"]:
        if p["contractId"] == contract:
            return p["size"] if p["type"] == 1 else -p["size"]
    return 0


def until(condition, limit, every=0.05):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def on_row_button(driver, follower, index, act):
    """act(button) on a follower's index-th action button, found again if the row was redrawn between
    finding it and acting on it (the feed redraws a row whenever what it shows changes)."""
    for _ in range(40):
        button = driver.find_element(By.CSS_SELECTOR,
                                     f"tr[data-follower='{follower}'] td.actions button:nth-child({index})")
        try:
            return act(button)
        except StaleElementReferenceException:
            time.sleep(0.05)
    raise RuntimeError(f"the row of {follower} was redrawn 40 times in a row")


def row_nets(driver):
    """follower name -> the net position its row shows (None while it has no row)."""
    return driver.execute_script("""
        const out = {};
        for (const row of document.querySelectorAll('#followers tr[data-follower]'))
          out[row.dataset.follower] = Number(row.querySelector('td.positions').dataset.net);
        return out;""")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--sim-control", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,800", "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_page_load_timeout(20)
        driver.get(args.url)
        check("#token=" not in driver.current_url, "the token leaves the address bar once read")
        check(until(lambda: set(row_nets(driver)) >= {"small", "big"}, 10), "a row for each follower")
        check(until(lambda: "live feed: connected" in driver.find_element(By.ID, "feed").text, 5),
              "the live feed is connected")
        check(driver.find_element(By.ID, "copying").text == "copying", "the header says copying")
        loaded = driver.execute_script("return performance.timeOrigin")

        # A leader entry appears on every follower's row within a second, without a reload.
        sim(args.sim_control, "POST", "/act", {"account": 1001, "op": "place", "contract_id": "CON.F.US.MES.U26",
                                               "side": 0, "size": 2, "type": 2})
        started = time.monotonic()
        shown = until(lambda: row_nets(driver).get("small") == 1 and row_nets(driver).get("big") == 2, 5, 0.02)
        took = time.monotonic() - started
        check(shown and took <= 1.0, f"the entry is on every follower's row in {took:.2f} s (at most 1 s)")
        check(driver.execute_script("return performance.timeOrigin") == loaded, "without a reload")
        check(until(lambda: driver.find_elements(By.CSS_SELECTOR, "#copies tr td"), 3), "the copies are listed")
        check(until(lambda: driver.find_elements(By.CSS_SELECTOR, "#chart polyline.last"), 3),
              "the latency chart is drawn")

        # An action without the token is refused, even from the page itself.
        status = driver.execute_script("""
            const answer = await fetch('/api/action', {method: 'POST',
              headers: {'Content-Type': 'application/json'}, body: '{"command":"flatten","name":"big"}'});
            return answer.status;""")
        check(status == 401, f"an action without the token is refused (HTTP {status})")
        check(position(args.sim_control, 2002) == 2, "and changed nothing")

        # Flatten big from its row: one click arms, the second sends.
        check(on_row_button(driver, "big", 2, lambda b: b.text) == "Flatten", "the row has a Flatten button")
        on_row_button(driver, "big", 2, lambda b: b.click())
        check(on_row_button(driver, "big", 2, lambda b: b.text) == "Confirm flatten", "a first click only arms it")
        on_row_button(driver, "big", 2, lambda b: b.click())
        check(until(lambda: position(args.sim_control, 2002) == 0, 15, 0.2), "big is flat in the simulator's ledger")
        check(until(lambda: "flatten big: done" in driver.find_element(By.ID, "action-result").text, 15),
              "the page says the flatten is done")
        check(until(lambda: row_nets(driver).get("big") == 0, 5), "big's row shows it flat")
        check(position(args.sim_control, 2001) == 1, "small was left alone")

        driver.save_screenshot(f"{args.out}/dashboard-1280x800.png")
        wide = driver.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
        check(wide[0] <= wide[1], f"1280x800: nothing wider than the window ({wide})")

        driver.set_window_size(390, 844)
        time.sleep(0.5)
        narrow = driver.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
        check(narrow[0] <= narrow[1], f"phone width: the page does not scroll sideways ({narrow})")
        right = driver.execute_script("""
            const b = document.querySelector("tr[data-follower='small'] td.actions button:nth-child(2)");
            return [b.getBoundingClientRect().right, innerWidth];""")
        check(right[0] <= right[1], f"phone width: a follower's Flatten is on screen without scrolling ({right})")
        driver.save_screenshot(f"{args.out}/dashboard-phone.png")

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check(not [e for e in errors if "api/action" not in e.get("message", "")],
              f"no console errors but the refused action ({errors})")
    finally:
        driver.quit()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
