"""The page in a real browser: headless Chromium (Debian's package, driven by Selenium and the system
chromedriver) against the real `kg serve`. Screenshots go to test-artifacts/ (git-ignored) to be looked at."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,1600")


def _binaries() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="module")
def browser():
    found = _binaries()
    if found is None:
        reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") or os.environ.get("KG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _rows(browser, at_least: int = 1):
    """The result table's rows once the page's fetch has filled it: the page answers asynchronously, so reading
    the table right after a click races the request (it failed that way in CI)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#rows tbody tr")) >= at_least)
    return browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr")


def test_run_a_canned_query_and_see_the_rows(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server["url"])
    assert "The citation graph" in browser.find_element(By.TAG_NAME, "h1").text
    Select(browser.find_element(By.ID, "query-picker")).select_by_value("citing-articles")
    browser.find_element(By.ID, "pick").click()
    field = browser.find_element(By.ID, "p-article")
    field.send_keys("pmid:21933757")
    browser.find_element(By.ID, "run").click()
    rows = _rows(browser)
    browser.save_screenshot(str(ARTIFACTS / "canned-query.png"))
    assert len(rows) == 5
    link = rows[0].find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href").startswith(server["url"] + "br/pmid/")
    assert browser.find_element(By.ID, "csv").get_attribute("href").endswith("format=csv")


def test_an_article_page_shows_the_chart_and_the_network(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server["url"] + "br/pmid/21933757")
    chart = browser.find_element(By.CSS_SELECTOR, "#chart svg")
    network = browser.find_element(By.CSS_SELECTOR, "#network svg")
    assert chart.size["height"] > 100 and network.size["height"] > 100
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart svg path")) > 5  # bars and axes drawn
    nodes = browser.find_elements(By.CSS_SELECTOR, "#network svg a.node")
    assert len(nodes) == 6  # the article and its five citing articles
    browser.save_screenshot(str(ARTIFACTS / "article.png"))
    network.screenshot(str(ARTIFACTS / "article-network.png"))
    target = next(n for n in nodes if not n.get_dom_attribute("xlink:href").endswith("21933757"))
    href = target.get_dom_attribute("xlink:href")
    target.click()  # a node of the drawing is a link to that article's page
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda b: b.current_url == server["url"] + href.lstrip("/"))
    assert browser.find_element(By.ID, "title").text


def test_the_sparql_editor_runs_an_example(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(server["url"])
    browser.find_elements(By.CSS_SELECTOR, "button.example")[0].click()
    assert "kg:citationCount" in browser.find_element(By.ID, "sparql-text").get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, "#sparql-form button[type=submit]").click()
    rows = _rows(browser)
    browser.save_screenshot(str(ARTIFACTS / "sparql-editor.png"))
    cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells == ["https://kg.example.org/br/pmid/21933757", "Magnesium and Cancer: a Dangerous Liason", "5"]


def test_an_author_page_shows_metrics_and_a_chart(browser, server):
    import json
    import urllib.request

    from selenium.webdriver.common.by import By

    with urllib.request.urlopen(server["url"] + "api/queries/article-authors?article=doi:10.1107/S1600576724011750",
                                timeout=30) as answer:
        agent = next(r["agent"] for r in json.loads(answer.read()) if r["name"] == "Corsi F")
    browser.get(server["url"] + agent.removeprefix("https://kg.example.org/"))
    assert browser.find_element(By.ID, "title").text == "Corsi F"
    assert "works: 1" in browser.find_element(By.ID, "metrics").text
    assert browser.find_element(By.CSS_SELECTOR, "#chart svg").size["height"] > 100
    browser.save_screenshot(str(ARTIFACTS / "author.png"))
