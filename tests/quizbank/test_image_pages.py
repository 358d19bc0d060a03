"""Adding, showing and removing question images through the authoring pages."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.fixtures import Settings

from learners.models import User
from quizbank import services
from quizbank.models import Question, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("film.png", buffer.getvalue(), content_type="image/png")


def test_an_author_adds_an_image_that_the_preview_shows_with_its_alt_text(
    client_for: Any, instructor: User, draft: Question
) -> None:
    client = client_for(instructor)

    client.post(
        f"/authoring/questions/{draft.pk}/images/", {"image": png(), "alt_text": "Rouleaux"}
    )

    image = draft.images.get()
    preview = client.get(f"/authoring/questions/{draft.pk}/preview/").content.decode()
    assert f'<img src="/images/questions/{image.pk}/" alt="Rouleaux"' in preview
    served = client.get(f"/images/questions/{image.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_a_bad_upload_is_refused_with_a_message_naming_the_problem(
    client_for: Any, instructor: User, draft: Question
) -> None:
    fake = SimpleUploadedFile("film.png", b"not an image")

    response = client_for(instructor).post(
        f"/authoring/questions/{draft.pk}/images/",
        {"image": fake, "alt_text": "Film"},
        follow=True,
    )

    assert "The file is not a readable image." in response.content.decode()
    assert not draft.images.exists()


def test_students_see_images_of_published_questions_only(
    client_for: Any, instructor: User, admin_user: User, student: User, draft: Question
) -> None:
    image = services.add_question_image(
        question=draft, upload=png(), alt_text="Film", by=instructor
    )
    url = f"/images/questions/{image.pk}/"

    assert client_for(student).get(url).status_code == 404
    services.publish_question(question=draft, by=admin_user)
    assert draft.status == Status.PUBLISHED
    assert client_for(student).get(url).status_code == 200


def test_students_cannot_add_or_remove_images(
    client_for: Any, instructor: User, student: User, draft: Question
) -> None:
    image = services.add_question_image(
        question=draft, upload=png(), alt_text="Film", by=instructor
    )
    client = client_for(student)

    assert (
        client.post(
            f"/authoring/questions/{draft.pk}/images/", {"image": png(), "alt_text": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/authoring/questions/{draft.pk}/images/{image.pk}/remove/").status_code == 403
    )
    assert draft.images.count() == 1


def test_an_author_removes_an_image(client_for: Any, instructor: User, draft: Question) -> None:
    image = services.add_question_image(
        question=draft, upload=png(), alt_text="Film", by=instructor
    )

    client_for(instructor).post(f"/authoring/questions/{draft.pk}/images/{image.pk}/remove/")

    assert not draft.images.exists()
    assert services.question_history(draft)[0].revision.comment == "Removed an image"


def test_the_api_gives_each_image_its_served_url_and_alt_text(
    client_for: Any, instructor: User, draft: Question
) -> None:
    image = services.add_question_image(
        question=draft, upload=png(), alt_text="Film", by=instructor
    )

    body = client_for(instructor).get(f"/api/v1/questions/{draft.pk}/").json()

    assert body["images"] == [
        {"id": image.pk, "url": f"/images/questions/{image.pk}/", "alt_text": "Film"}
    ]


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares a huge canvas: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_with_the_size_message(
    client_for: Any, instructor: User, draft: Question
) -> None:
    bomb = SimpleUploadedFile("bomb.png", png_header_only(20000, 20000), content_type="image/png")

    response = client_for(instructor).post(
        f"/authoring/questions/{draft.pk}/images/", {"image": bomb, "alt_text": "X"}, follow=True
    )

    assert response.status_code == 200
    assert "The image is over 4096x4096 pixels; at most 4096x4096." in response.content.decode()
    assert not draft.images.exists()
