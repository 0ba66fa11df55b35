"""The live page (`/__faultline/ui`) in a real browser: headless Chromium through Selenium, against
a faultline process. Finds a scenario by its code, sees a request sent with urllib appear in the
journal, sets a sticky scenario from the page and sees the next request answered with it, and
sees a client's verdict. Writes a screenshot (--screenshot). One line per check; exits 1 on
the first failure.

    python checks/ui_check.py --faultline .build/release/faultline --screenshot .build/ui.png
"""

import argparse
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from mcp_check import faultline, get

TOKEN = "page-token"


def check(condition, what):
    if not condition:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


def wait(driver, condition, what, seconds=10):
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition())
    except Exception:
        check(False, what)
    check(True, what)


def run(base, screenshot):
    options = Options()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{base}/__faultline/ui?token={TOKEN}")
        wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "tr.scenario"), "the catalog loads")
        check("token" not in driver.current_url, "the token leaves the address bar")

        driver.find_element(By.ID, "search").send_keys("4003")
        rows = driver.find_elements(By.CSS_SELECTOR, "tr.scenario")
        names = {row.get_attribute("data-name") for row in rows}
        check(names == {"4003"} and "Tracking already exists." in rows[0].text and "curl -g -i -X POST" in rows[0].text,
              f"search by code finds 4003 with its body and curl line ({len(rows)} rows)")
        driver.find_element(By.ID, "search").clear()
        driver.find_element(By.ID, "search").send_keys("courier_error_201")
        rendered = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "tr.scenario[data-name='courier_error_201']")]
        check(rendered and "{{" not in rendered[0] and '"courier":"yunexpress"' in rendered[0], "an example is rendered: a fresh id, fallbacks filled")
        driver.find_element(By.ID, "search").clear()
        driver.find_element(By.ID, "search").send_keys("Tracking already exists")
        check({r.get_attribute("data-name") for r in driver.find_elements(By.CSS_SELECTOR, "tr.scenario")} >= {"4003"}, "search by message finds 4003")

        status, _ = get(f"{base}/generic/api/v1/users/u_404?scenario=RESOURCE_NOT_FOUND", {"X-API-Key": "page-key"})
        wait(driver, lambda: any(r.get_attribute("data-path") == "/generic/api/v1/users/u_404" and r.get_attribute("data-status") == "404"
                                 for r in driver.find_elements(By.CSS_SELECTOR, "tr.request")), f"a request sent with urllib ({status}) appears in the journal")
        driver.find_element(By.CSS_SELECTOR, "tr.request[data-status='404']").click()
        wait(driver, lambda: '"code":"RESOURCE_NOT_FOUND"' in driver.find_element(By.CSS_SELECTOR, "pre.answer").text
             and "Content-Type: application/json" in driver.find_element(By.CSS_SELECTOR, "pre.answer").text, "a journal row opens to the answer as served")

        Select(driver.find_element(By.ID, "sticky-vendor")).select_by_visible_text("generic")
        driver.find_element(By.ID, "sticky-client").send_keys("page-key")
        driver.find_element(By.ID, "sticky-scenario").send_keys("SERVICE_UNAVAILABLE")
        driver.find_element(By.ID, "sticky-set").click()
        wait(driver, lambda: driver.find_element(By.ID, "outcome").text.startswith("200"), "the page sets a sticky scenario")
        status, body = get(f"{base}/generic/api/v1/users", {"X-API-Key": "page-key"})
        check(status == 503 and "SERVICE_UNAVAILABLE" in body, f"the next request answers with it ({status})")
        status, _ = get(f"{base}/generic/api/v1/users", {"X-API-Key": "page-key"})
        wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, ".verdict[data-client='page-key']"), "the client's verdict appears")
        verdict = driver.find_element(By.CSS_SELECTOR, ".verdict[data-client='page-key']").get_attribute("data-verdict")
        check(verdict in ("pass", "warn", "fail"), f"verdict for page-key: {verdict}")
        wait(driver, lambda: f"retries: {verdict}" in driver.find_element(By.ID, "journal").text, "the verdict shows beside the client's requests")
        driver.find_element(By.ID, "sticky-clear").click()
        wait(driver, lambda: driver.find_element(By.ID, "outcome").text.startswith("200"), "the page clears it")

        driver.find_element(By.ID, "clock-advance").send_keys("24h")
        driver.find_element(By.ID, "clock-move").click()
        wait(driver, lambda: "+86400 s" in driver.find_element(By.ID, "clock").text, "the page moves the clock a day")
        driver.find_element(By.ID, "reload").click()
        wait(driver, lambda: '"reloaded": true' in driver.find_element(By.ID, "outcome").text, "the page reloads the files")

        driver.set_window_size(390, 844)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 400, f"at phone width nothing overflows ({width} px)")
        driver.set_window_size(1280, 1600)
        if screenshot:
            driver.save_screenshot(screenshot)
            print(f"screenshot: {screenshot}")
    finally:
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--scenarios", default="Scenarios")
    parser.add_argument("--screenshot", default=".build/ui.png")
    args = parser.parse_args()
    with faultline(args.faultline, args.scenarios, TOKEN) as base:
        run(base, args.screenshot)
    print("ui: every check passed")


if __name__ == "__main__":
    main()
