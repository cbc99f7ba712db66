"""``[plugins.openai_api]`` and the endpoint's fixed limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_BODY = 20 * 1024 * 1024
DEFAULT_AGENT = "main"
RESERVED_SESSION_PREFIXES = ("subagent:", "cron:", "acp:")


class OpenAiApiConfig(BaseModel):
    """``[plugins.openai_api]``: its presence turns the endpoint on."""

    model_config = ConfigDict(extra="forbid")

    max_images: int = Field(8, ge=0, le=64, description="image parts in the newest user message")
    max_image_bytes: int = Field(
        20 * 1024 * 1024, ge=0, description="decoded image data per request, in all"
    )
    allowed_mimes: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/heic",
            "image/heif",
        ]
    )
    timeout_s: float = Field(600, gt=0, description="longest a request waits for the agent")
