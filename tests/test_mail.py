"""Invitations and reminders by e-mail, delivered to a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.outreach.mail import MailConfigError, Outgoing, SmtpConfig, send, smtp_config
from analysis.storage import ResponseStore
from analysis.storage.invitations import InvitationNotFound, invitations, open_invitation
from analysis.storage.roster import parse_roster_csv, save_roster
from tests.conftest import make_response
from tests.smtp_support import PASSWORD, USER, Inbox, _free_port, smtp_controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with smtp_controller() as running:
        yield running


def _secrets(secrets_file: Path, text: str) -> None:
    """The secrets file this test's CLI reads (``tests/conftest.py: secrets_file``)."""
    secrets_file.write_text(text, encoding="utf-8")


def _smtp_section(port: int, password: str = PASSWORD) -> str:
    return (
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "PEP 761 survey <survey@example.org>"\n'
        f'username = "{USER}"\npassword = "{password}"\nstarttls = false\n'
    )


def test_invite_is_delivered_with_a_working_link(
    store: ResponseStore,
    smtp_server: tuple[Inbox, int],
    secrets_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp_server
    _secrets(secrets_file, _smtp_section(port))
    code = main(["invite", "Fedora", "--contact", "python-devel@fedora.example", "--base-url", "https://s.example"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "e-mailed to python-devel@fedora.example" in err
    [message] = inbox.messages
    assert inbox.recipients == ["python-devel@fedora.example"]
    assert message["To"] == "python-devel@fedora.example"
    assert message["From"] == "PEP 761 survey <survey@example.org>"
    assert message["Subject"] == "PEP 761 downstream survey: invitation for Fedora"
    body = message.get_content()
    link = out.splitlines()[1]
    assert link in body and link.startswith("https://s.example/survey?invite=")
    assert open_invitation(store, link.split("invite=", 1)[1]).distributor == "Fedora"
    assert invitations(store)[0].mailed_at is not None


def test_reminders_are_delivered_and_a_refused_address_is_reported(
    store: ResponseStore,
    smtp_server: tuple[Inbox, int],
    secrets_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox, port = smtp_server
    _secrets(secrets_file, _smtp_section(port))
    save_roster(
        store,
        parse_roster_csv(
            b"distributor,kind,contact,channel\n"
            b"Arch Linux,,arch@arch.example,\n"
            b"Gentoo,,gentoo@gentoo.example,\n"
            b"NixOS,,bounce@nix.example,\n"
        ).entries,
    )
    assert main(["invite", "Arch Linux", "--no-mail"]) == 0
    old_token = capsys.readouterr().out.splitlines()[1].split("invite=", 1)[1]
    assert main(["invite", "NixOS", "--no-mail"]) == 0
    # Gentoo said it would be ready by 2026-01-01 and is still evaluating: overdue.
    store.submit(
        make_response(
            distributor="Gentoo",
            sigstore_status="evaluating",
            ready_by={"likely": "2026-01-01"},
            submitted_at=datetime(2025, 12, 1, tzinfo=UTC),
        )
    )
    capsys.readouterr()
    code = main(["remind", "--send", "--base-url", "https://s.example"])
    out, _ = capsys.readouterr()
    assert code == 1  # one reminder was refused
    assert "reminded Arch Linux (invited-no-answer) at arch@arch.example" in out
    assert "reminded Gentoo (readiness-date-passed) at gentoo@gentoo.example" in out
    assert "not sent to NixOS at bounce@nix.example: refused by the server: 550" in out
    assert "2 sent, 1 failed, 0 without an address" in out
    by_to = {m["To"]: m for m in inbox.messages}
    assert set(by_to) == {"arch@arch.example", "gentoo@gentoo.example"}
    arch = by_to["arch@arch.example"].get_content()
    fresh = arch.split("invite=", 1)[1].split()[0]
    assert open_invitation(store, fresh).distributor == "Arch Linux"
    with pytest.raises(InvitationNotFound):
        open_invitation(store, old_token)  # the fresh invitation revoked the old one
    gentoo = by_to["gentoo@gentoo.example"]
    assert gentoo["Subject"] == "PEP 761 survey: is Gentoo ready for Sigstore?"
    assert "2026-01-01" in gentoo.get_content()


def test_wrong_password_and_no_server_are_reported(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    item = Outgoing("a@example.org", "s", "b")
    config = SmtpConfig("127.0.0.1", port, "s@example.org", USER, "wrong", starttls=False)
    assert send(config, [item])[0].error == "the SMTP server refused the username or password"
    closed = SmtpConfig("127.0.0.1", _free_port(), "s@example.org", starttls=False)
    result = send(closed, [item])[0]
    assert not result.ok and "nothing listens on 127.0.0.1" in result.error
    # STARTTLS demanded but the server does not offer it: a clear refusal, nothing sent in clear.
    tls = SmtpConfig("127.0.0.1", port, "s@example.org", starttls=True)
    assert "does not support" in send(tls, [item])[0].error


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[smtp]\nport = 25\nfrom = "a@b.org"\n', "host"),
        ('[smtp]\nhost = "h"\nport = "25"\nfrom = "a@b.org"\n', "port"),
        ('[smtp]\nhost = "h"\nport = 25\nfrom = "nobody"\n', "from"),
        ('[smtp]\nhost = "h"\nport = 25\nfrom = "a@b.org"\nstarttls = "yes"\n', "starttls"),
    ],
)
def test_bad_smtp_section_is_refused_by_key(section: str, message: str) -> None:
    import tomllib

    with pytest.raises(MailConfigError, match=message):
        smtp_config(tomllib.loads(section))


def test_remind_send_without_smtp_and_with_a_malformed_file(
    store: ResponseStore, secrets_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _secrets(secrets_file, "[database]\n")
    assert main(["remind", "--send"]) == 2
    assert "needs an [smtp] section" in capsys.readouterr().err
    _secrets(secrets_file, "[smtp\nhost=")
    assert main(["remind", "--send"]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_reminder_list_csv_and_mailto(store: ResponseStore, capsys: pytest.CaptureFixture[str]) -> None:
    save_roster(store, parse_roster_csv(b"distributor,kind,contact,channel\nArch Linux,,arch@arch.example,\n").entries)
    assert main(["invite", "Arch Linux", "--no-mail"]) == 0
    capsys.readouterr()
    assert main(["remind", "--base-url", "https://s.example"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "distributor,reason,detail,contact,channel,mailto"
    assert lines[1].startswith("Arch Linux,invited-no-answer,invited ")
    assert "arch@arch.example" not in lines[1]
    assert ",,,mailto:?subject=Reminder%3A%20PEP%20761%20downstream%20survey%20for%20Arch%20Linux&body=" in lines[1]
    assert main(["remind", "--include-contacts", "--base-url", "https://s.example"]) == 0
    row = capsys.readouterr().out.splitlines()[1]
    assert ",arch@arch.example,,mailto:arch@arch.example?subject=" in row
    assert "https%3A//s.example/survey" in row
