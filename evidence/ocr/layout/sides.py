"""Step 6a, sides: which way each chat bubble goes, from the edge it is anchored to and its colour, never from
its width.

A chat app lines up the other party's bubbles on one left edge and the user's on one right edge, each side in
its own colour. So:

1. *Edges.* The left edge is the leftmost ``x0`` that another bubble shares (within ``EDGE_TOLERANCE`` per
   mille of the width), the right edge the rightmost shared ``x1``. A bubble on the left edge only is *anchored* incoming, on
   the right edge only anchored outgoing; one on both (a long bubble filling the width: the case that width
   alone gets wrong) or on neither is not anchored.
2. *Colours.* Bubbles within ``COLOUR_TOLERANCE`` of each other in every channel share a colour. A colour whose
   anchored bubbles go one way (at least ``AGREEMENT`` of them) is that side's colour, and every bubble of that
   colour goes that way, anchored or not. With two colours of which only one is known, the other is the other
   side's; with more, an unknown colour goes the way of the known colour nearest to it (a voice note's
   darker shade of the user's accent colour).
3. *Saturation.* Two colours, neither with an anchored bubble: the more saturated one is outgoing (every app
   measured draws the user's own bubbles in the app's accent colour and the other party's in a grey).
4. Otherwise, the nearer screen edge, and the bubble is marked as read by its position only.

Each side comes with its basis (``edge``, ``colour``, ``saturation``, ``position``), kept in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from evidence.ocr.layout.settings import Box, Color

EDGE_TOLERANCE: Final = 20  # per mille of the screen width
COLOUR_TOLERANCE: Final = 24  # per channel
AGREEMENT: Final = 700  # per mille of a colour's anchored bubbles that must agree


@dataclass(frozen=True)
class Side:
    """A bubble's direction and what it was read from."""

    direction: str  # "incoming" | "outgoing"
    basis: str  # "edge" | "colour" | "saturation" | "position"


def _edge(values: list[int], tolerance: int, prefer_low: bool) -> int:
    """The outermost value (lowest, or highest) that another value is within ``tolerance`` of, else the
    outermost value: a side's bubbles share their edge; a lone bubble further out is no edge."""
    ordered = sorted(values, reverse=not prefer_low)
    for number, value in enumerate(ordered):
        if any(abs(value - other) <= tolerance for k, other in enumerate(ordered) if k != number):
            return value
    return ordered[0]


def _saturation(colour: Color) -> int:
    return max(colour) - min(colour)


def _groups(colours: list[Color]) -> list[int]:
    """A group number per bubble: bubbles of close colours share one."""
    centres: list[Color] = []
    found: list[int] = []
    for colour in colours:
        for number, centre in enumerate(centres):
            if all(abs(a - b) <= COLOUR_TOLERANCE for a, b in zip(colour, centre, strict=True)):
                found.append(number)
                break
        else:
            centres.append(colour)
            found.append(len(centres) - 1)
    return found


def edges(boxes: list[Box], width: int) -> tuple[int, int]:
    """The incoming bubbles' left edge and the outgoing ones' right edge (step 1 of the module docstring)."""
    tolerance = max(2, EDGE_TOLERANCE * width // 1000)
    return (
        _edge([b[0] for b in boxes], tolerance, prefer_low=True),
        _edge([b[2] for b in boxes], tolerance, prefer_low=False),
    )


def sides(boxes: list[Box], colours: list[Color], width: int) -> list[Side]:
    """The side of each bubble (``boxes`` in pixels, ``colours`` their fill), in the order given."""
    if not boxes:
        return []
    tolerance = max(2, EDGE_TOLERANCE * width // 1000)
    left, right = edges(boxes, width)
    anchored: list[str | None] = []
    for box in boxes:
        on_left, on_right = abs(box[0] - left) <= tolerance, abs(box[2] - right) <= tolerance
        anchored.append(
            "incoming" if on_left and not on_right else "outgoing" if on_right and not on_left else None
        )
    groups = _groups(colours)
    known: dict[int, str] = {}
    for group in set(groups):
        votes = [a for a, g in zip(anchored, groups, strict=True) if g == group and a is not None]
        for side in ("incoming", "outgoing"):
            if votes and votes.count(side) * 1000 >= AGREEMENT * len(votes):
                known[group] = side
    distinct = sorted(set(groups))
    if len(distinct) == 2 and len(known) == 1:
        only = next(iter(known))
        other = distinct[1] if distinct[0] == only else distinct[0]
        known[other] = "outgoing" if known[only] == "incoming" else "incoming"
    for group in distinct:
        if group not in known and known and len(distinct) > 2:
            colour = colours[groups.index(group)]
            nearest = min(
                known,
                key=lambda g: sum(abs(a - b) for a, b in zip(colour, colours[groups.index(g)], strict=True)),
            )
            known[group] = known[nearest]
    saturated: dict[int, str] = {}
    if len(distinct) == 2 and not known:
        a, b = distinct
        sat_a = _saturation(colours[groups.index(a)])
        sat_b = _saturation(colours[groups.index(b)])
        if abs(sat_a - sat_b) >= 30:
            saturated[a] = "outgoing" if sat_a > sat_b else "incoming"
            saturated[b] = "outgoing" if sat_b > sat_a else "incoming"
    found: list[Side] = []
    for box, anchor, group in zip(boxes, anchored, groups, strict=True):
        if group in known and (anchor is None or anchor == known[group]):
            found.append(Side(known[group], "colour" if anchor is None else "edge"))
        elif group in known and len(set(groups)) > 1:
            found.append(Side(known[group], "colour"))  # its colour outweighs its edge: a wide bubble
        elif anchor is not None:
            found.append(Side(anchor, "edge"))
        elif group in saturated:
            found.append(Side(saturated[group], "saturation"))
        else:
            near_left = box[0] <= width - box[2]
            found.append(Side("incoming" if near_left else "outgoing", "position"))
    return found
