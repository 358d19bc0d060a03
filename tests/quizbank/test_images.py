"""Question images: real images of an allowed type and size, each with a text alternative."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.fixtures import Settings

from learners.models import User
from quizbank import services
from tests.quizbank.samples import sample_content

pytestmark = pytest.mark.django_db


def image_file(
    kind: str = "PNG", size: tuple[int, int] = (40, 30), name: str = "x.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Settings, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_an_image_with_alt_text_is_attached_as_a_new_revision(instructor: User) -> None:
    question = services.create_question(content=sample_content(), by=instructor)

    image = services.add_question_image(
        question=question, upload=image_file(), alt_text="Peripheral blood film", by=instructor
    )

    assert question.images.get() == image
    assert image.image.name.startswith(f"questions/{question.pk}/")
    history = services.question_history(question)
    assert history[0].revision.comment == "Added an image"
    assert "questionimage" in {v.content_type.model for v in history[0].revision.version_set.all()}


@pytest.mark.parametrize(
    ("upload", "alt_text", "field", "message"),
    [
        (image_file(), " ", "alt_text", "Describe the image"),
        (
            SimpleUploadedFile("evil.png", b"<script>alert(1)</script>"),
            "A film",
            "image",
            "not a readable image",
        ),
        (image_file("BMP", name="x.bmp"), "A film", "image", "BMP images are not accepted"),
        (image_file(size=(5000, 4000)), "A film", "image", "at most 4096x4096"),
    ],
)
def test_bad_images_are_refused_naming_the_field(
    instructor: User, upload: SimpleUploadedFile, alt_text: str, field: str, message: str
) -> None:
    question = services.create_question(content=sample_content(), by=instructor)

    with pytest.raises(ValidationError) as raised:
        services.add_question_image(
            question=question, upload=upload, alt_text=alt_text, by=instructor
        )

    assert message in raised.value.message_dict[field][0]
    assert not question.images.exists()


def test_an_image_over_two_megabytes_is_refused(instructor: User) -> None:
    question = services.create_question(content=sample_content(), by=instructor)
    big = SimpleUploadedFile("big.png", b"\\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError) as raised:
        services.add_question_image(question=question, upload=big, alt_text="Film", by=instructor)

    assert "the limit is 2 MB" in raised.value.message_dict["image"][0]
