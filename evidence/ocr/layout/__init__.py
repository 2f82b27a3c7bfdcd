"""Screen layout: chat bubbles, call-log rows, inbox rows and the header, each region then recognised.

``analyse(image)`` returns a ``Layout``: the kind of screen (``chat``, ``call_list``, ``email_list``,
``email``, ``conversation_list``, ``contact_list``, ``in_call``, ``compose`` or ``unknown``; only the first
four show messages; ``kinds`` names an in-call or compose screen by its labels once it made no message), the header, one ``Message`` per bubble or row (top to bottom, boxes in the original
image's pixels), the full text and every word. All image work is Pillow plus pure Python over a reduced grid
(numpy is not a dependency); tesseract runs once per image.

**Method.**

1. *Grid.* The image (transparency flattened onto white) is reduced with a box filter to ``GRID_WIDTH`` cells
   across. Regions of nearly uniform colour are labelled by flood fill: a cell joins when it differs from its
   neighbour by at most ``NEIGHBOUR_TOLERANCE`` and from the region's first cell by at most
   ``SEED_TOLERANCE`` in every channel (a gradient wallpaper cannot leak into a bubble 8 levels away).
   Touching regions of a saturated colour (``MERGE_MIN_SATURATION``) whose mean colours are within
   ``MERGE_TOLERANCE`` are then joined: JPEG's chroma noise splits a blue bubble into pieces.
2. *Bubbles.* A region is a bubble when it does not touch the image's edges, is at least
   ``MIN_BUBBLE_HEIGHT`` / ``MIN_BUBBLE_WIDTH`` per mille of the screen and at most ``MAX_BUBBLE_WIDTH`` wide,
   covers ``MIN_FILL`` of its box, hugs one side (not centred like a date chip), holds something that is not
   its colour (text), is not round and small nor a circle of any size (a contact picture: the points a tenth
   in from its box's corners lie outside it), is not the wide message field at the
   bottom, and is not inside another bubble. A shape holding two bubble-like shapes or more is the ground they
   lie on (a store picture's phone screen, a card), not a bubble, and a bar as wide as it goes too; the widest
   such shape is the app's *frame*: sides and the header are read against it. *Furniture* (``furniture``) is dropped: shapes of one height side
   by side (chips, tabs, buttons), centred notices and date chips, the compose box with its draft. Two or more
   bubbles read with confidence at least ``MIN_MESSAGE_CONFIDENCE`` (or a voice note) make a ``chat``; a
   chat's notice or compose box and no bubble make a ``chat`` without messages; otherwise the screen is read
   as a list.
3. *Other text.* Outside the bubbles, grid rows differing from their row's commonest colour by more than
   ``GRID_INK`` hold ink; runs of such rows are bands, cut into pieces where the ink has a horizontal gap of
   more than 1.5 band heights (a name on the left, a time on the right); a column holding ink in most
   rows (a store picture's phone frame, a scroll bar) is a rail, never ink. Solid shapes (avatars, icons,
   pills: regions of at least ``SOLID_CELLS`` cells each way filling 60 % of their box, not of the
   background's colour, with the holes of the background's colour inside them, such as the head of an
   avatar's silhouette) are painted over first, but not a card (half the screen wide or more, holding
   ``CARD_MARKS`` shapes or more: letters; a dark theme's list rows), and so are thin rings (an "i" in a
   circle beside a time), found by their round inside of the background's colour and painted with two cells
   around.
4. *Flattening.* Each region is turned into dark text on white by each pixel's colour distance to the
   region's own background (the bubble's colour, the band's commonest colour); the distance reached by the
   darker half of the ink pixels becomes black. White on blue, dark themes and red names all become black on
   white. Outside a bubble's rounded shape (corners, tail, neighbours) the crop is painted its colour first,
   and one grid cell along the crop's edge is whited out (the bubble's anti-aliased rim is not text).
   A short group of ink at the right end of a bubble's last line, set apart by more than half a line
   height or alone on a last line (a WhatsApp-style time, smaller and greyer than the text), is cut out
   and read as a region of its own, with its own contrast and scale (looking for it, light grey is not
   ink: JPEG's residue would join it to the text; a speck at the bubble's rim is not it).
5. *One tesseract run.* Each region is scaled so its text lines are about ``TARGET_LINE_PX`` high (measured
   from the row profile, at most ``MAX_SCALE_PERMILLE``), all are stacked on one white page separated by
   ``GAP_PX``, and tesseract (``--psm 6``) reads the page once; words go back to their region by their
   vertical position, and their boxes to the original pixels.
6. *Chats.* The on-screen keyboard (``keyboard``: its keys as shapes side by side, or rows of short tokens)
   and the compose field just above it make no message and do not vote on the sides. Bubbles that show their
   time at the top right above their other lines are a list's rows drawn as cards: no chat. A bubble's text
   is its lines joined by spaces, without its footer line (icons, ticks, a clock, a day or a relative time
   "3 mins ago", "Now", and after a dash a group member's name: its time and sender; such a line printed
   above the text, "Today 12:51 - You", too); a bubble that is only
   a web address is a ``link``; one whose worded lines start at different places and are read poorly, or a
   tall one holding one short word, is a picture with labels (a map): a ``photo`` without text. Its shown time is its cut-out corner when that
   reads as a time, also when its colon was lost ("1857"; else the corner is text when read with
   confidence ``CORNER_TEXT_CONFIDENCE`` and two letters or digits, or a speck), a clock at the end of its last line, a band that is only a clock right
   under the bubble and aligned with one of its sides (iMessage), or beside its lower half (Instagram).
   The header is, on the first row of bands under the status bar (the top ``_STATUS_BAR_PERMILLE``) and
   above the first bubble, the piece read with most confidence that is not a time, joined with the pieces
   close to it (a number with wide spaces), without icon junk at its ends. The side of each bubble comes from
   the edge it is anchored to and its colour (``sides``), never its width. Date separators date the bubbles
   below them and group members' names above incoming bubbles are their senders (``context``). A bubble
   holding no word but a short bare length (``00:19``) is a voice note (``media`` ``voice``, ``duration``);
   one holding only junk (a waveform, a play button) is no message, but a play button read as ">" beside a
   seek bar read as dashes is a voice note of unknown length. Lines of reaction chips under a bubble's text
   (no letter, a mark or a speck: "@1 @1") are not its text. Photos (runs of tiny regions) are
   messages of kind ``photo`` with the bubble under them as caption, or alone when their side is clear
   (``photos``); a bubble holding a photo (a map, a GIF) is a ``photo`` whose text is its lines outside the
   picture: what tesseract reads inside a picture is never text.
7. *Lists.* First two-line call rows (``call_rows``: a name, then an icon and a clock or a day with a
   duration at the right: the duration is never the time; the arrow in the icon, or a word naming the type,
   gives the type; the name is trimmed to the row's text column; a last row cut off under its name is a call of
   unknown time and type; a dark list's faded second lines are read again in its text column). Else a line ending in
   a time in the right part of the screen anchors a row; the row starts at the
   line overlapping or just above the anchor and ends where the next row starts. Several rows: a
   ``call_list`` when the title says so (Recents, Calls) or most rows have at most two lines and no sentence,
   a ``conversation_list`` when most rows are a name with the time and one line of preview, an
   ``email_list`` (first line the sender, then the subject, then the snippet; or the subject first and
   "Sender - snippet" under it) only when the screen says mail (a mailbox title, an address, such rows),
   else a ``conversation_list`` (but one sender on half the rows, or a subject and a snippet each cut with
   "..." in most rows, is mail; and rows repeating two names or more are one conversation drawn without
   bubbles, ``timeline``: a ``chat`` of incoming messages from the members named). A time written as a day
   over a clock at the right ("Today" over "12:36") is one row's time; a section's day above a row is no
   part of it. Short rows make a ``call_list`` only with the title's word or most rows
   showing a call's sign (a type word, a number's label, a number, a count, a duration). A row ends at a gap
   wider than two of its lines. A screen without such rows
   whose lines are mostly names is a ``contact_list``. One row: an open ``email``
   (subject above, the sender's line with the date, address and "to" lines skipped, then the body). In a
   call row, a red name is ``missed``; otherwise the arrow before the label or the name (read by tesseract
   as a one- or two-character token, on the name's line or on a line of its own, or found just left of
   the first word) points up-right for
   ``outgoing`` and down-left for ``incoming`` (its ink is heavier in that corner), and a red arrow beside a
   black name is ``missed``; "(3)" at the end of the name is the count. A call row's name is the words
   before its time, else the line level with the time, else the first line above it holding a word; a row
   with none (only an avatar's junk) makes no record. A list row's time may also be relative or carry its
   year ("5 min ago", "3 December 2021"); one row that is a name with its time and one line under it is a
   ``conversation_list`` of one chat, not an open email. A screen still unknown and without messages may be
   an open email drawn without such a row (``mail``: the date beside the sender, a card the page read as
   junk): the first run of three lines of prose is its body, the zone above it is read again alone, and the
   sender's row (a name then a date or clock, or a name with an address), the "to" line and the subject
   (just under the sender, else above it, never a day like "Friday, June 25") make one ``email``.

**Rules that change what tesseract read** (whole tokens only):

- "|" alone becomes "I", as do "|'m", "|'ll", "|'d", "|'ve", "|'s" (with trailing punctuation kept), and a
  "|" starting a word of two or more lower-case letters ("|ts" is "Its"), and "lam" is "I am" (its space lost
  and its sans-serif I read as l);
- a shown time has "." between hours and minutes written as ":" ("9.41" is "9:41"), a space put back before
  AM/PM ("12:14PM") and between a day and its month ("3May");
- a time whose colon was lost in small print ("316 PM", "3-18 PM", "2352") is taken as a time only where a
  time belongs: at the end of a bubble, set apart from the text by more than its height or on its own line
  (with AM/PM or a separator), or alone under or beside a bubble; its digits are kept as read;
- a list row's date misread in small print is put right: "1. Nov" is "1 Nov", "19 oct" "19 Oct",
  "220ct" "22 Oct" (an "O" read as a zero);
- a call row's name and a chat header: a valid international number is spaced as libphonenumber
  formats it (only spaces change), "lan" before capitalised words is "Ian" (also an email's sender), and
  a one-word name in lower case gets its capital ("sam": read without a capital height to compare with);
- icon junk (tokens without a letter or digit) is removed at the ends of lines; in headers also one- or
  two-character tokens read with confidence under ``HEADER_MIN_CONF``; after a list row's time also one
  character, two letters that are not AM/PM, or up to three with a bracket and no digit ("C)", "(-)",
  "CE": an "i" in a circle); at the end of a
  bubble also one or two characters read with confidence under ``SPECK_CONF`` (JPEG ringing).

**Known limits.** A wallpaper photo behind a chat defeats the band background (bubble text is unaffected);
a bubble within 6 levels of the background's colour is not separated (a gradient reaching the bubble's grey);
tesseract still confuses a sans-serif "I" with "l" ("lan") and "0" with "O", and drops the colon of tiny
times; quoted replies inside a bubble are part of its text; a photo whose side the bubbles' edges do not tell is
dropped; a voice note whose length is misread is dropped; an emoji-only bubble beside a bare time under
ten minutes ("09:15") would be read as a voice note; a list whose times are not at the right (a conversation
list with times under the names) is ``unknown``; English and left-to-right only.

**Modules** (one a step): ``settings`` (version and constants), ``model`` (``Message``, ``Layout``),
``grid`` (1), ``bubbles`` and ``furniture`` (2), ``bands`` (3), ``flatten`` (4), ``page`` (5: the one
tesseract run and its lines), ``words`` and ``times`` (the junk and time rules above), ``headers``, ``chat``,
``sides``, ``context``, ``photos`` and ``keyboard`` (6), ``kinds`` (the screens named by their labels), ``lists``, ``timeline``, ``call_rows``, ``calls`` and ``mail`` (7), and ``screen`` (``analyse``: the
steps in order).
"""

from __future__ import annotations

from evidence.ocr.layout.model import Layout, Message
from evidence.ocr.layout.screen import analyse
from evidence.ocr.layout.settings import (
    BAND_PAD,
    CORNER_INK_LEVEL,
    CORNER_TEXT_CONFIDENCE,
    GAP_PX,
    GRID_INK,
    GRID_WIDTH,
    HEADER_MIN_CONF,
    INK_DIFFERENCE,
    INK_SHARE_DIVISOR,
    LAYOUT_VERSION,
    MARGIN_PX,
    MAX_BUBBLE_WIDTH,
    MAX_SCALE_PERMILLE,
    MERGE_MIN_SATURATION,
    MERGE_TOLERANCE,
    MIN_BUBBLE_HEIGHT,
    MIN_BUBBLE_WIDTH,
    MIN_FILL,
    MIN_MESSAGE_CONFIDENCE,
    NEIGHBOUR_TOLERANCE,
    OCR_SETTINGS,
    SEED_TOLERANCE,
    SOLID_CELLS,
    SPECK_CONF,
    TARGET_LINE_PX,
    WALL_TOLERANCE,
    Box,
    Color,
    Direction,
    Kind,
    layout_settings,
)

__all__ = [
    "BAND_PAD",
    "CORNER_INK_LEVEL",
    "CORNER_TEXT_CONFIDENCE",
    "GAP_PX",
    "GRID_INK",
    "GRID_WIDTH",
    "HEADER_MIN_CONF",
    "INK_DIFFERENCE",
    "INK_SHARE_DIVISOR",
    "LAYOUT_VERSION",
    "MARGIN_PX",
    "MAX_BUBBLE_WIDTH",
    "MAX_SCALE_PERMILLE",
    "MERGE_MIN_SATURATION",
    "MERGE_TOLERANCE",
    "MIN_BUBBLE_HEIGHT",
    "MIN_BUBBLE_WIDTH",
    "MIN_FILL",
    "MIN_MESSAGE_CONFIDENCE",
    "NEIGHBOUR_TOLERANCE",
    "OCR_SETTINGS",
    "SEED_TOLERANCE",
    "SOLID_CELLS",
    "SPECK_CONF",
    "TARGET_LINE_PX",
    "WALL_TOLERANCE",
    "Box",
    "Color",
    "Direction",
    "Kind",
    "Layout",
    "Message",
    "analyse",
    "layout_settings",
]
