"""Scanned-looking pages for the OCR tests and benchmark: text rendered to an image at a given dpi,
slightly rotated, with speckle noise, as a flatbed scan of a printed page looks. One page per
language variant, each stating facts a question can be asked about."""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PAGES = {
    "en": ("Discharge letter. The patient was treated for community-acquired pneumonia with amoxicillin "
           "for seven days. On discharge the oxygen saturation was 97 percent on room air. A follow-up "
           "chest radiograph is advised after six weeks to confirm that the infiltrate has resolved. "
           "The patient should return at once if fever or shortness of breath comes back."),
    "ru": ("Выписка из истории болезни. Пациентка получала эналаприл по поводу артериальной гипертензии. "
           "Через две недели появился сухой кашель, поэтому эналаприл был заменён на лозартан. После "
           "замены кашель прекратился в течение десяти дней. Рекомендован контроль калия и креатинина "
           "крови через месяц."),
    "uz": ("Bemor qandli diabet bilan kuzatuvda turadi. Glikirlangan gemoglobin darajasi 8,2 foizni "
           "tashkil etdi, shuning uchun metformin dozasi kuniga 2000 milligrammgacha oshirildi. Bemorga "
           "har kuni oyoqlarini koʻzdan kechirish va uch oydan keyin tahlilni takrorlash tavsiya etildi."),
    "uz-Cyrl": ("Беморда темир танқислиги камқонлиги аниқланди. Гемоглобин миқдори 92 грамм литрга тенг "
                "бўлди. Темир препарати уч ой давомида кунига бир марта буюрилди. Даволаш самарадорлиги "
                "бир ойдан кейин қон таҳлили билан текширилади."),
}
# A question per page, in its own language and script, and a phrase of the page that answers it.
QUESTIONS = {
    "en": ("When should the follow-up chest radiograph be done?", "six weeks"),
    "ru": ("На какой препарат заменили эналаприл из-за кашля?", "лозартан"),
    "uz": ("Metformin dozasi qanchagacha oshirildi?", "2000 milligrammgacha"),
    "uz-Cyrl": ("Темир препарати қанча муддат буюрилди?", "уч ой давомида"),
}
TESSERACT_CODES = {"en": "eng", "ru": "rus", "uz": "uzb", "uz-Cyrl": "uzb_cyrl"}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    import matplotlib  # ships DejaVu Sans (Latin and Cyrillic), so no system font is assumed

    return ImageFont.truetype(f"{matplotlib.get_data_path()}/fonts/ttf/DejaVuSans.ttf", size)


def _lines(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines that fit ``width`` pixels, broken at spaces only (never inside a word)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def page_image(text: str, dpi: int = 300, angle: float = 0.8, noise: float = 0.004, seed: int = 0) -> Image.Image:
    """A page 5.8 inches wide of ``text`` in 11-point type, greyscale."""
    width, height = int(5.8 * dpi), int(4.5 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = _font(round(11 * dpi / 72))
    margin, y = int(0.4 * dpi), int(0.4 * dpi)
    for line in _lines(text, font, width - 2 * margin):
        draw.text((margin, y), line, fill=20, font=font)
        y += round(16 * dpi / 72)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    rng = random.Random(seed)
    pixels = image.load()
    assert pixels is not None
    for _ in range(int(width * height * noise)):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 160))
    return image.filter(ImageFilter.GaussianBlur(0.4))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def image_pdf(images: list[Image.Image], dpi: int = 300) -> bytes:
    """A PDF of page images only (no text layer), as a scanner writes one."""
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out.getvalue()
