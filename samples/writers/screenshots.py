"""The screenshots: the phone's Recents list during the 14 March burst, the Instagram message
request, and the Facebook smear post seen on a desktop (PNG text chunks and a DPI, as a Mac writes)."""

from __future__ import annotations

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from samples.story import (
    ALEX_INSTAGRAM_2,
    ALEX_NAME,
    CALLS,
    LONDON,
    MISSED,
    SAM_PHONE,
    WITHHELD,
    Call,
    at,
    contact_name,
)
from samples.writers.drawing import avatar, font, nav_handle, png_bytes, status_bar, wrap


def missed_calls_png() -> bytes:
    """Screenshot_20260314-213344.png: the phone app's Recents list during the 14 March burst."""
    width, height = 1080, 2340
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    status_bar(draw, width, "21:33", 64)
    ink, grey, red = (32, 33, 36), (95, 99, 104), (217, 48, 37)
    draw.rounded_rectangle((40, 120, width - 40, 250), radius=65, fill=(241, 243, 244))
    draw.ellipse((86, 160, 130, 204), outline=grey, width=5)
    draw.line((124, 198, 146, 220), fill=grey, width=6)
    draw.text((180, 185), "Search contacts", font=font(42), fill=grey, anchor="lm")
    draw.ellipse((width - 150, 145, width - 70, 225), fill=(103, 58, 183))
    draw.text((width - 110, 185), "J", font=font(40), fill=(255, 255, 255), anchor="mm")

    # Group the log as the phone app does: consecutive calls from one number make one row "Name (n)".
    shot_at = at(2026, 3, 14, 21, 33, 44)
    day_start = at(2026, 3, 14, 0, 0)
    rows: list[tuple[str, Call, int]] = []  # section, newest call, count
    for call in sorted(
        (c for c in CALLS if at(2026, 3, 13, 0, 0) <= c.when <= shot_at), key=lambda c: c.when
    ):
        section = "Today" if call.when >= day_start else "Yesterday"
        if (
            rows
            and rows[-1][0] == section
            and rows[-1][1].number == call.number
            and rows[-1][1].kind == call.kind
        ):
            rows[-1] = (section, call, rows[-1][2] + 1)
        else:
            rows.append((section, call, 1))
    rows.reverse()

    y = 300
    current = ""
    for section, call, count in rows:
        if section != current:
            draw.text((60, y + 30), section, font=font(36, "Bold"), fill=grey)
            y += 100
            current = section
        name = contact_name(call.number) if call.number != WITHHELD else "Private number"
        if name == "(Unknown)":
            name = call.number
        label = f"{name} ({count})" if count > 1 else name
        colour = red if call.kind == MISSED else ink
        if call.number == WITHHELD:
            avatar(draw, 50, y + 10, 110, (154, 160, 166), None)
        else:
            avatar(
                draw, 50, y + 10, 110, (26, 115, 232) if call.number != SAM_PHONE else (0, 137, 123), name[0]
            )
        draw.text((200, y + 22), label, font=font(44), fill=colour)
        local = call.when.astimezone(LONDON)
        detail = "Mobile" if call.number != WITHHELD else "Unknown"
        # A small arrow: pointing in (down-left) for incoming, slashed for missed.
        ax, ay = 204, y + 98
        arrow = red if call.kind == MISSED else (30, 142, 62)
        draw.line((ax + 22, ay - 16, ax, ay + 6), fill=arrow, width=5)
        draw.line((ax, ay + 6, ax + 16, ay + 6), fill=arrow, width=5)
        draw.line((ax, ay + 6, ax, ay - 10), fill=arrow, width=5)
        draw.text((244, y + 80), f"{detail} \u2022 {local:%H:%M}", font=font(36), fill=grey)
        # Call-back handset on the right.
        draw.text((width - 110, y + 65), "\u2706", font=font(56), fill=(26, 115, 232), anchor="mm")
        y += 150

    # Bottom navigation: Favourites, Recents (selected), Contacts.
    bar = height - 230
    draw.rectangle((0, bar, width, height), fill=(242, 246, 252))
    for i, tab in enumerate(("Favourites", "Recents", "Contacts")):
        cx = width * (2 * i + 1) // 6
        if tab == "Recents":
            draw.rounded_rectangle((cx - 80, bar + 30, cx + 80, bar + 100), radius=35, fill=(211, 227, 253))
        icon = {"Favourites": "\u2606", "Recents": "\u25f7", "Contacts": "\u263a"}[tab]
        draw.text((cx, bar + 65), icon, font=font(50), fill=ink, anchor="mm")
        draw.text(
            (cx, bar + 135), tab, font=font(34, "Bold" if tab == "Recents" else ""), fill=ink, anchor="mm"
        )
    draw.ellipse((width - 220, bar - 200, width - 60, bar - 40), fill=(194, 231, 255))
    for dx in (-30, 0, 30):
        for dy in (-30, 0, 30):
            cx, cy = width - 140 + dx, bar - 120 + dy
            draw.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), fill=(0, 29, 53))
    nav_handle(draw, width, height)
    return png_bytes(img)


INSTAGRAM_DMS = (
    "You blocked me so I made a new one",
    "I'm not trying to upset you",
    "I just want five minutes. That's all I've ever asked for",
    "I know you've seen my texts",
    "Don't make me do this the hard way Jordan",
    "Answer me",
)


def instagram_png() -> bytes:
    """Screenshot_20260320-224512_Instagram.png: a message request from the new account @alex.m.2."""
    width, height = 1080, 2340
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    status_bar(draw, width, "22:45", 41)
    ink, grey = (0, 0, 0), (115, 115, 115)
    # Header: back arrow, avatar, name and handle, call icons.
    draw.line((60, 190, 90, 160), fill=ink, width=6)
    draw.line((60, 190, 90, 220), fill=ink, width=6)
    avatar(draw, 130, 140, 100, (199, 199, 204), None)
    draw.text((260, 148), "Alex", font=font(42, "Bold"), fill=ink)
    draw.text((260, 200), ALEX_INSTAGRAM_2, font=font(34), fill=grey)
    draw.text((width - 225, 190), "\u2706", font=font(60), fill=ink, anchor="mm")
    draw.rounded_rectangle((width - 140, 168, width - 95, 212), radius=10, outline=ink, width=5)
    draw.polygon([(width - 95, 190), (width - 62, 170), (width - 62, 210)], outline=ink, width=5)
    draw.line((0, 280, width, 280), fill=(219, 219, 219), width=2)

    # The profile card Instagram shows at the top of a chat with a new account.
    cx = width // 2
    avatar(draw, cx - 90, 320, 180, (199, 199, 204), None)
    draw.text((cx, 548), "Alex", font=font(46, "Bold"), fill=ink, anchor="mm")
    draw.text((cx, 604), f"{ALEX_INSTAGRAM_2} \u00b7 Instagram", font=font(36), fill=grey, anchor="mm")
    draw.text((cx, 654), "0 followers \u00b7 0 posts", font=font(36), fill=grey, anchor="mm")
    draw.text((cx, 704), "You don't follow each other on Instagram", font=font(36), fill=grey, anchor="mm")
    draw.rounded_rectangle((cx - 150, 745, cx + 150, 825), radius=20, fill=(239, 239, 239))
    draw.text((cx, 785), "View profile", font=font(36, "Bold"), fill=ink, anchor="mm")
    card_bottom = 825

    # Messages sit on the request bar, newest at the bottom, as a chat screen scrolls.
    bar = height - 380
    body = font(40)
    line_h = 52
    blocks: list[tuple[str | None, list[str]]] = [("20 Mar, 22:31", [])]
    for n, message in enumerate(INSTAGRAM_DMS):
        if n == 4:
            blocks.append(("20 Mar, 22:44", []))
        blocks.append((None, wrap(message, body, 700)))
    heights = [110 if stamp else line_h * len(lines) + 62 for stamp, lines in blocks]
    y = bar - 30 - sum(heights)
    assert y > card_bottom, "the messages would cover the profile card"
    for (stamp, lines), block_h in zip(blocks, heights, strict=True):
        if stamp:
            draw.text((width // 2, y + 55), stamp, font=font(32), fill=grey, anchor="mm")
        else:
            bubble_w = max(round(body.getlength(line)) for line in lines) + 72
            bubble_h = block_h - 10
            draw.rounded_rectangle((130, y, 130 + bubble_w, y + bubble_h), radius=46, fill=(239, 239, 239))
            for i, line in enumerate(lines):
                draw.text((166, y + 24 + i * line_h), line, font=body, fill=ink)
        y += block_h
    avatar(draw, 40, y - 10 - 70, 70, (199, 199, 204), None)

    # The message-request bar instead of the composer.
    draw.line((0, bar, width, bar), fill=(219, 219, 219), width=2)
    draw.text(
        (width // 2, bar + 70),
        f"Accept message request from {ALEX_INSTAGRAM_2}?",
        font=font(36, "Bold"),
        fill=ink,
        anchor="mm",
    )
    draw.text(
        (width // 2, bar + 130),
        "If you accept, they will also be able to call you and see",
        font=font(30),
        fill=grey,
        anchor="mm",
    )
    draw.text(
        (width // 2, bar + 170), "info such as your activity status.", font=font(30), fill=grey, anchor="mm"
    )
    for i, (label, colour) in enumerate(
        (("Block", (237, 73, 86)), ("Delete", (237, 73, 86)), ("Accept", ink))
    ):
        cx = width * (2 * i + 1) // 6
        draw.text((cx, bar + 260), label, font=font(40, "Bold"), fill=colour, anchor="mm")
    nav_handle(draw, width, height)
    return png_bytes(img)


SMEAR_POST = (
    "Posting this because people deserve to know who they're dealing with. Jordan Lee (some of you know her "
    "from the studio on Hoe Street) has been telling everyone I \u2018harassed\u2019 her. The truth is she "
    "emptied our joint account and walked out, and now she's playing the victim.\n\n"
    "If she comes to you with a sob story, ask her where the \u00a33,000 went. I have the bank statements. "
    "Some people are not who they seem."
)


SMEAR_COMMENTS = (
    ("Lauren Kaye", (176, 92, 60), "Wow. Would never have guessed, she always seemed so nice", "7h"),
    ("Dev Raman", (52, 120, 90), "This isn't the place for this mate. Take it down.", "6h"),
    ("Sam Patel", (0, 137, 123), "Reported. Anyone who knows Jordan knows this isn't true.", "1h"),
)


def smear_png() -> bytes:
    """Screenshot 2026-04-02 at 08.15.31.png: a macOS capture of the smear post in a browser window."""
    scale = 2  # a Retina capture: 144 dpi, twice the logical size

    def s(v: float) -> int:
        return round(v * scale)

    width = s(720)
    left, right, top = s(60), width - s(60), s(100)
    text_font, comment_font = font(s(15)), font(s(14))
    lines = wrap(SMEAR_POST, text_font, right - left - s(32))
    line_h = s(22)
    comments = [
        (who, colour, wrap(said, comment_font, right - left - s(120)), ago)
        for who, colour, said, ago in SMEAR_COMMENTS
    ]
    comments_h = sum(s(26) + s(19) * len(c[2]) + s(30) for c in comments)
    card_bottom = top + s(70) + line_h * len(lines) + s(112) + comments_h
    height = card_bottom + s(24)
    img = Image.new("RGB", (width, height), (240, 242, 245))
    draw = ImageDraw.Draw(img)
    ink, grey, blue = (5, 5, 5), (101, 103, 107), (8, 102, 255)

    # Browser chrome: traffic lights, address bar, the group's title bar.
    draw.rectangle((0, 0, width, s(40)), fill=(246, 246, 246))
    for i, colour in enumerate(((255, 95, 87), (254, 188, 46), (40, 200, 64))):
        draw.ellipse((s(16 + 20 * i), s(14), s(28 + 20 * i), s(26)), fill=colour)
    draw.rounded_rectangle((s(150), s(8), s(570), s(32)), radius=s(7), fill=(228, 228, 230))
    draw.text(
        (s(360), s(20)),
        "facebook.com/groups/e17noticeboard",
        font=font(s(12)),
        fill=(60, 60, 67),
        anchor="mm",
    )
    draw.rectangle((0, s(40), width, s(76)), fill=(255, 255, 255))
    draw.text(
        (s(20), s(58)), "Walthamstow & E17 Noticeboard", font=font(s(15), "Bold"), fill=ink, anchor="lm"
    )
    draw.text(
        (width - s(20), s(58)), "Public group \u00b7 18.4K members", font=font(s(12)), fill=grey, anchor="rm"
    )
    draw.line((0, s(76), width, s(76)), fill=(218, 221, 225), width=s(1))

    # The post card.
    draw.rounded_rectangle((left, top, right, card_bottom), radius=s(8), fill=(255, 255, 255))
    avatar(draw, left + s(16), top + s(14), s(40), (88, 101, 115), "A")
    draw.text((left + s(66), top + s(16)), ALEX_NAME, font=font(s(15), "Bold"), fill=ink)
    draw.text((left + s(66), top + s(37)), "8h \u00b7 Public", font=font(s(12)), fill=grey)
    draw.text((right - s(30), top + s(22)), "\u00b7\u00b7\u00b7", font=font(s(18), "Bold"), fill=grey)
    y = top + s(70)
    for line in lines:
        draw.text((left + s(16), y), line, font=text_font, fill=ink)
        y += line_h
    y += s(14)
    draw.ellipse((left + s(16), y, left + s(34), y + s(18)), fill=blue)
    draw.text((left + s(25), y + s(9)), "\u2714", font=font(s(10)), fill=(255, 255, 255), anchor="mm")
    draw.text((left + s(40), y + s(1)), "27", font=font(s(13)), fill=grey)
    draw.text((right - s(16), y + s(1)), "14 comments  3 shares", font=font(s(13)), fill=grey, anchor="ra")
    y += s(30)
    draw.line((left + s(16), y, right - s(16), y), fill=(206, 208, 212), width=s(1))
    for i, label in enumerate(("Like", "Comment", "Share")):
        cx = left + (right - left) * (2 * i + 1) // 6
        draw.text((cx, y + s(20)), label, font=font(s(14), "Bold"), fill=grey, anchor="mm")
    y += s(40)
    draw.line((left + s(16), y, right - s(16), y), fill=(206, 208, 212), width=s(1))
    y += s(14)
    for who, colour, comment_lines, ago in comments:
        avatar(draw, left + s(16), y, s(32), colour, who[0])
        bubble_h = s(26) + s(19) * len(comment_lines)
        bubble_w = max(
            max(comment_font.getlength(line) for line in comment_lines), font(s(13), "Bold").getlength(who)
        ) + s(24)
        draw.rounded_rectangle(
            (left + s(56), y, left + s(56) + round(bubble_w), y + bubble_h),
            radius=s(16),
            fill=(240, 242, 245),
        )
        draw.text((left + s(68), y + s(6)), who, font=font(s(13), "Bold"), fill=ink)
        for i, line in enumerate(comment_lines):
            draw.text((left + s(68), y + s(24) + i * s(19)), line, font=comment_font, fill=ink)
        draw.text(
            (left + s(68), y + bubble_h + s(4)), f"{ago}   Like   Reply", font=font(s(11), "Bold"), fill=grey
        )
        y += bubble_h + s(30)

    # macOS writes the pixel size and "Screenshot" as XMP (no dates) and a 144 dpi pHYs chunk.
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">\n'
        '   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '      <rdf:Description rdf:about=""\n'
        '            xmlns:exif="http://ns.adobe.com/exif/1.0/">\n'
        f"         <exif:PixelYDimension>{height}</exif:PixelYDimension>\n"
        f"         <exif:PixelXDimension>{width}</exif:PixelXDimension>\n"
        "         <exif:UserComment>Screenshot</exif:UserComment>\n"
        "      </rdf:Description>\n"
        "   </rdf:RDF>\n"
        "</x:xmpmeta>\n"
    )
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    return png_bytes(img, info, dpi=144)
