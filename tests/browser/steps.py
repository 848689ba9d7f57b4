"""Steps that many browser tests take the same way a person does: log in, pay on the sandbox's page."""

from tests.stall_support import PASSWORD


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the log-in form; fails here, not three steps later, if the form refused."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, f"{email} was not let in: {page.url}"


def pay_in_sandbox(page) -> str:
    """On (or on the way to) the local Stripe sandbox's pay page: pay, and land on the order page; its URL."""
    page.wait_for_url("**/stripe-sandbox/pay/**")
    page.click("#sandbox-pay")
    page.wait_for_url("**/orders/**")
    return page.url
