"""The organizer's mailbox over IMAP (IMAPS, or STARTTLS; the certificate is always verified).

Only the transport: which emails are new, and where each goes once handled. Replies handled (applied, ignored,
malformed, already seen) move to the processed folder (IMAP MOVE, else COPY + delete), so nothing is read twice
or lost; any other email (a person writing to the network) stays where it is, unread, with a keyword that keeps
the next run from reading it again.
"""

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imapclient import IMAPClient  # imported by Mailbox.__enter__: the cron command's, not a worker's

CHECKED_KEYWORD = "$ReseauChecked"


class MailboxNotConfigured(Exception):
    """REPLY_IMAP_HOST (or the login) is not set: `read-replies` has no mailbox to read."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "Reponses-traitees"
    security: str = "ssl"
    ca_file: str | None = None
    timeout: float = 30
    batch_size: int = 200

    @classmethod
    def from_config(cls, config) -> "MailboxSettings":
        missing = [name for name in ("REPLY_IMAP_HOST", "REPLY_IMAP_USER", "REPLY_IMAP_PASSWORD") if not config.get(name)]
        if missing:
            raise MailboxNotConfigured(f"set {', '.join(missing)} to read the replies")
        if config.get("REPLY_IMAP_SECURITY", "ssl") not in ("ssl", "starttls"):
            raise MailboxNotConfigured("REPLY_IMAP_SECURITY must be ssl or starttls")
        return cls(host=config["REPLY_IMAP_HOST"], port=int(config.get("REPLY_IMAP_PORT", 993)),
                   username=config["REPLY_IMAP_USER"], password=config["REPLY_IMAP_PASSWORD"],
                   folder=config.get("REPLY_IMAP_FOLDER", "INBOX"),
                   processed_folder=config.get("REPLY_IMAP_PROCESSED_FOLDER", "Reponses-traitees"),
                   security=config.get("REPLY_IMAP_SECURITY", "ssl"), ca_file=config.get("REPLY_IMAP_CA_FILE"),
                   timeout=float(config.get("REPLY_IMAP_TIMEOUT_SECONDS", 30)),
                   batch_size=int(config.get("REPLY_IMAP_BATCH_SIZE", 200)))


class Mailbox:
    """with Mailbox(settings) as mailbox: for uid, raw in mailbox.new_messages(): … mailbox.done(uid) / keep(uid)."""

    def __init__(self, settings: MailboxSettings):
        self.settings = settings
        self.client: IMAPClient | None = None

    def __enter__(self) -> "Mailbox":
        from imapclient import IMAPClient  # the cron command's, not a worker's

        settings = self.settings
        context = ssl.create_default_context(cafile=settings.ca_file)  # verifies the certificate and the host name
        client = IMAPClient(settings.host, port=settings.port, ssl=settings.security == "ssl", ssl_context=context,
                            timeout=settings.timeout)
        try:
            if settings.security == "starttls":
                client.starttls(context)
            client.login(settings.username, settings.password)
            if not client.folder_exists(settings.processed_folder):
                client.create_folder(settings.processed_folder)
            client.select_folder(settings.folder)
        except BaseException:
            client.shutdown()
            raise
        self.client = client
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; nothing to save
            self.client.shutdown()

    def new_messages(self) -> Iterator[tuple[int, bytes]]:
        """The emails no run has handled yet, oldest first, read without marking them as read."""
        uids = sorted(self.client.search(["NOT", "DELETED", "UNKEYWORD", CHECKED_KEYWORD]))[:self.settings.batch_size]
        for uid in uids:
            fetched = self.client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
            if fetched is not None:  # expunged by someone else meanwhile
                yield uid, fetched[b"BODY[]"]

    def done(self, uid: int) -> None:
        """A handled reply leaves the folder for the processed one."""
        if self.client.has_capability("MOVE"):
            self.client.move([uid], self.settings.processed_folder)
            return
        self.client.copy([uid], self.settings.processed_folder)
        self.client.delete_messages([uid])
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge([uid])
        else:
            self.client.expunge()

    def keep(self, uid: int) -> None:
        """Not a reply: left for the people who read the mailbox, unread, and not read again by the next run."""
        self.client.add_flags([uid], [CHECKED_KEYWORD], silent=True)
