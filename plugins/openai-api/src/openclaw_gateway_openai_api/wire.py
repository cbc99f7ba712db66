"""The OpenAI Chat Completions request, as much of it as the endpoint reads (pydantic at the
edge: everything else a client sends — temperature, tools, … — is accepted and ignored, as the
reference does, because the agent's own configuration decides those)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ImageUrl(BaseModel):
    model_config = ConfigDict(extra="ignore")
    url: str = Field(max_length=30 * 1024 * 1024)


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str | None = None
    image_url: ImageUrl | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or "" for part in self.content or () if part.type == "text")

    def images(self) -> list[str]:
        if isinstance(self.content, str) or self.content is None:
            return []
        return [p.image_url.url for p in self.content if p.type == "image_url" and p.image_url]


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=2000)
    stream: bool = False
    user: str | None = Field(None, max_length=512)
