"""The labour market: job seekers meet vacancies in a hiring season.

One search process and one placement rule, used by every matching of the model (graduates,
returners, teachers from other regions, released and poaching movers, side-entrants):

- **Search.** A hiring season has ``rounds`` rounds. In each round a seeker who is still looking
  sends ``applications_per_round`` applications, each to a recruiting *unit*, tried in turn
  until one succeeds (a round's applications are chosen at its start).
  After every round an unplaced seeker stops looking with their own probability
  (``Seekers.quit_per_round``: a graduate takes a job outside the region or outside education, a
  returner goes back to the silent reserve, a teacher from another region does not come).
- **Placement.** A unit places an applicant at the vacancy, among its own, with the largest
  relative need (open fte / the school's demand in the subject) that the applicant *fits*:
  their subject group (or second subject group), a level their degree allows, a school above
  their attractiveness floor, and open hours that hold their contract within the tolerance
  (``contract <= open + tolerance``). First-degree applicants take first-degree lessons first.
  A unit with no fitting vacancy turns the applicant down.

The unit is what a policy sets:

- :class:`BoardRecruitment` — every school board recruits alone for all its sites (sites of one
  board never compete for the same person). For each application a seeker notices
  :data:`DRAWS_PER_APPLICATION` postings drawn in proportion to the open fte times
  ``exp(attractiveness)`` of their fitting-subject vacancies, passes over those beyond their
  longest commute or too small for their contract, and applies to the board of the one that
  is best by their own preferences (``Seekers.taste`` against ``Vacancies.traits``: the
  seeker's utility minus the shared attractiveness plus Gumbel noise, which makes the choice
  tend to ``open x exp(own utility)``; the first one left when people have no weights).
  Applications that land on a board with nothing that still fits are lost. First-degree
  seekers, qualified for every year, prefer the upper years: an upper-year (level 0) vacancy
  weighs ``upper_year_weight`` times a lower-year one of the same size and attractiveness in
  their draw.
- :class:`RegionalPool` — one regional pool is the single unit for all boards: every seeker is
  placed, one by one in random order, at the region's fitting vacancy with the largest relative
  need, so nobody is lost while a fitting vacancy is open.

Eligibility: a seeker fits a vacancy of their subject group (or second subject group); a
first-degree seeker fits both levels, a second-degree seeker or side-entrant only the
second-degree level (vmbo and lower years).

Commuting: when seekers have homes (``Seekers.home``, ``Seekers.max_commute``) and the
vacancies know where their schools are (``Vacancies.xy``), a vacancy beyond a seeker's longest
accepted commute does not fit them: a unit never places them there, and a seeker choosing a
board applies only for a noticed posting within reach (no application when none is). Under
the regional pool personal preferences do not act: the pool places by need. A seeker with a
first choice
(``Seekers.first_unit``, e.g. the board of a graduate's internship school) applies there
before the season's rounds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

DRAWS_PER_APPLICATION = 3
"""Postings a seeker notices per application, before choosing where to apply (model design: a
seeker skims a few postings, not the whole market)."""


@dataclass
class Vacancies:
    """Open positions: one entry per school, subject group and level, in fte.

    ``board`` is the recruiting board of the entry's school (each school its own board when not
    given).
    """

    school: np.ndarray
    subject: np.ndarray
    level: np.ndarray  # 0 first-degree lessons, 1 second-degree lessons
    fte: np.ndarray
    need: np.ndarray  # school's demand in that subject group, for relative need
    board: np.ndarray | None = None
    xy: np.ndarray | None = None  # (n, 2) km position of the entry's school, for commuting
    # (n, 3) what people weigh at the entry's school: standing, vmbo share, workload pressure
    traits: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.board is None:
            self.board = np.asarray(self.school, dtype=np.int64)

    @classmethod
    def from_open(
        cls,
        open_by_level: np.ndarray,
        demand: np.ndarray,
        min_fte: float = 0.05,
        board_of_school: np.ndarray | None = None,
        school_xy: np.ndarray | None = None,
        school_traits: np.ndarray | None = None,
    ) -> Vacancies:
        """Vacancies from an (S, G, 2) array of open fte; entries under ``min_fte`` are ignored.

        Args:
            open_by_level: Open fte by school, subject group and level.
            demand: Demand fte (S, G, 2), for the relative need.
            min_fte: Smallest open fte posted.
            board_of_school: Board of each school (each school alone when None).
            school_xy: (S, 2) km position of each school (no commuting when None).
            school_traits: (S, 3) standing, vmbo share and workload pressure of each school
                (no personal preferences when None).
        """
        s, g, lv = np.nonzero(open_by_level > min_fte)
        return cls(
            school=s,
            subject=g,
            level=lv,
            fte=open_by_level[s, g, lv].astype(float),
            need=np.maximum(demand.sum(-1)[s, g], 1e-9),
            board=None if board_of_school is None else np.asarray(board_of_school)[s],
            xy=None if school_xy is None else np.asarray(school_xy, dtype=float)[s],
            traits=None if school_traits is None else np.asarray(school_traits, dtype=float)[s],
        )

    def __len__(self) -> int:
        return int(self.school.size)

    @cached_property
    def partner(self) -> np.ndarray:
        """For each entry, the entry of the other level at the same school and subject group,
        or -1: a first-degree teacher's job there holds the open hours of both."""
        n_subjects = int(self.subject.max(initial=0)) + 1
        key = (self.school.astype(np.int64) * n_subjects + self.subject) * 2 + self.level
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        other = key ^ 1  # the same school and subject, the other level (level is the last bit)
        pos = np.minimum(np.searchsorted(sorted_key, other), max(key.size - 1, 0))
        found = key.size > 0 and sorted_key[pos] == other
        return np.where(found, order[pos], -1).astype(np.int64)

    def restrict(self, keep: np.ndarray, cap_fte: np.ndarray | None = None) -> Vacancies:
        """A subset of the vacancies, optionally with their fte capped."""
        fte = self.fte[keep] if cap_fte is None else np.minimum(self.fte[keep], cap_fte[keep])
        return Vacancies(
            self.school[keep],
            self.subject[keep],
            self.level[keep],
            fte,
            self.need[keep],
            self.board[keep],
            None if self.xy is None else self.xy[keep],
            None if self.traits is None else self.traits[keep],
        )


@dataclass
class Seekers:
    """Job seekers: subject group(s), degree (1, 2 or 0 for side-entrants), fte sought, the
    lowest attractiveness of a school they would move to (-inf for people without a job),
    the probability that they stop looking after a round without a job (0 when not given), and
    optionally their home (km), longest accepted commute (km) and a first-choice unit (-1
    none), see the module docstring."""

    subject: np.ndarray
    subject2: np.ndarray
    degree: np.ndarray
    fte: np.ndarray
    min_attractiveness: np.ndarray
    quit_per_round: np.ndarray | None = field(default=None)
    home: np.ndarray | None = field(default=None)
    max_commute: np.ndarray | None = field(default=None)
    first_unit: np.ndarray | None = field(default=None)
    # (n, 4) personal weights: commute per km, vmbo share, workload, standing
    # (:data:`sim.model.preferences.TASTE_COLUMNS`)
    taste: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        if self.quit_per_round is None:
            self.quit_per_round = np.zeros(len(self.subject))

    def __len__(self) -> int:
        return int(self.subject.size)


def within_reach(seekers: Seekers, idx: np.ndarray, vacancies: Vacancies, v: np.ndarray):
    """Whether vacancy ``v[k]`` is within the longest commute of seeker ``idx[k]`` (always,
    when either side has no position)."""
    if seekers.home is None or vacancies.xy is None:
        return np.ones(np.asarray(idx).size, dtype=bool)
    d = seekers.home[idx] - vacancies.xy[v]
    return np.hypot(d[:, 0], d[:, 1]) <= seekers.max_commute[idx]


def fits(seeker_fte: np.ndarray | float, open_fte: np.ndarray | float, tolerance: float):
    """Whether a contract of ``seeker_fte`` fits ``open_fte`` within ``tolerance`` (the rule
    every matching uses)."""
    return np.asarray(seeker_fte) <= np.asarray(open_fte) + tolerance + 1e-9


class _Season:
    """The state of one hiring season: open fte per vacancy, who is placed where, who still
    looks, and each unit's vacancies by subject group (for the placement rule).

    The placement loop runs one applicant at a time over short Python lists (a unit's
    vacancies in one or two subject groups), which is cheaper than numpy for lists this short.
    """

    def __init__(
        self,
        seekers: Seekers,
        vacancies: Vacancies,
        attractiveness: np.ndarray,
        tolerance: float,
        unit: np.ndarray,
    ) -> None:
        self.seekers = seekers
        self.tolerance = tolerance + 1e-9  # the same float guard as :func:`fits`
        self.result = np.full(len(seekers), -1, dtype=np.int64)
        self.looking = np.ones(len(seekers), dtype=bool)
        self.open: list[float] = vacancies.fte.astype(float).tolist()
        self.level: list[int] = vacancies.level.astype(int).tolist()
        self.partner: list[int] = vacancies.partner.tolist()
        self.need: list[float] = vacancies.need.astype(float).tolist()
        self.attract: list[float] = attractiveness[vacancies.school].astype(float).tolist()
        self.board: list[int] = vacancies.board.astype(int).tolist()
        # one key per unit and subject group: the span covers every subject a vacancy or a
        # seeker has, so a key never runs into the next unit's
        self.n_subjects = (
            max(
                int(vacancies.subject.max()),
                int(seekers.subject.max()),
                int(seekers.subject2.max()),
            )
            + 1
        )
        key = unit.astype(np.int64) * self.n_subjects + vacancies.subject
        # each cell's vacancies as a first-degree seeker sees them (upper-year entries, which
        # hold the lower-year hours of the same school and subject, and lower-year entries
        # without upper-year ones) and as the others see them (lower-year entries)
        upper = vacancies.level == 0
        self.cells_first = _cells(key, upper | (vacancies.partner < 0))
        self.cells_second = _cells(key, ~upper)
        self.s_subject = seekers.subject.astype(int).tolist()
        self.s_subject2 = seekers.subject2.astype(int).tolist()
        self.s_first = (seekers.degree == 1).tolist()
        self.s_fte = seekers.fte.astype(float).tolist()
        self.s_floor = seekers.min_attractiveness.astype(float).tolist()
        self.commuting = seekers.home is not None and vacancies.xy is not None
        if self.commuting:
            self.s_hx = seekers.home[:, 0].astype(float).tolist()
            self.s_hy = seekers.home[:, 1].astype(float).tolist()
            self.s_reach2 = (seekers.max_commute.astype(float) ** 2).tolist()
            self.vx = vacancies.xy[:, 0].astype(float).tolist()
            self.vy = vacancies.xy[:, 1].astype(float).tolist()

    def offer(self, i: int, unit: int) -> int:
        """Place seeker ``i`` at ``unit``'s fitting vacancy with the largest relative need
        (first-degree lessons first for a first-degree seeker); -1 when nothing fits."""
        base = unit * self.n_subjects
        f, floor, first = self.s_fte[i], self.s_floor[i], self.s_first[i]
        cells = self.cells_first if first else self.cells_second
        cand = cells.get(base + self.s_subject[i], ())
        g2 = self.s_subject2[i]
        if 0 <= g2 < self.n_subjects and g2 != self.s_subject[i]:
            cand = [*cand, *cells.get(base + g2, ())]
        room = f - self.tolerance  # fits when open >= contract - tolerance
        open_fte, level, need, attract = self.open, self.level, self.need, self.attract
        partner = self.partner
        commuting = self.commuting
        if commuting:  # vacancies beyond the seeker's longest commute do not fit
            hx, hy, r2, vx, vy = self.s_hx[i], self.s_hy[i], self.s_reach2[i], self.vx, self.vy
        best, best_score = -1, -np.inf
        for v in cand:
            o = open_fte[v]
            if level[v] == 0:  # (only first-degree seekers see these)
                # a first-degree teacher's job holds the school's open hours of both levels
                q = partner[v]
                o_all = o + open_fte[q] if q >= 0 else o
                score = o_all / need[v] + (1e9 if o > 0.05 else 0.0)
            else:
                o_all = o
                score = o / need[v]
            if o_all < room or attract[v] <= floor or score <= best_score:
                continue
            if commuting and (vx[v] - hx) ** 2 + (vy[v] - hy) ** 2 > r2:
                continue
            if score > best_score:
                best, best_score = v, score
        if best >= 0:
            self.result[i] = best
            q = partner[best]
            if level[best] == 0 and q >= 0:
                upper = min(f, max(open_fte[best], 0.0))  # upper-year lessons first
                open_fte[best] -= upper
                open_fte[q] -= f - upper
            else:
                open_fte[best] -= f
        return best

    def take(self, who: np.ndarray, unit: np.ndarray, rng: np.random.Generator) -> int:
        """Applicants ``who`` to ``unit`` (one each), handled in random order; returns the
        number placed."""
        placed = 0
        who_list, unit_list = who.tolist(), unit.tolist()
        for k in rng.permutation(who.size).tolist():
            placed += self.offer(who_list[k], unit_list[k]) >= 0
        return placed

    def take_in_turn(self, who: np.ndarray, applied: np.ndarray, rng: np.random.Generator) -> None:
        """Seekers ``who`` with their round's applications ``applied`` (n, k) (vacancies, -1
        none), in random order: each applies to the board of each vacancy in turn until
        placed."""
        board = self.board
        who_list, rows = who.tolist(), applied.tolist()
        for k in rng.permutation(who.size).tolist():
            i = who_list[k]
            for v in rows[k]:
                if v >= 0 and self.offer(i, board[v]) >= 0:
                    break

    def open_fte(self) -> np.ndarray:
        """Open fte per vacancy now."""
        return np.asarray(self.open, dtype=float)

    def end_of_round(self, rng: np.random.Generator) -> None:
        """Unplaced seekers stop looking with their probability per round."""
        quit_p = self.seekers.quit_per_round
        todo = np.flatnonzero(self.looking & (self.result < 0) & (quit_p > 0))
        if todo.size:
            self.looking[todo[rng.random(todo.size) < quit_p[todo]]] = False

    def todo(self) -> np.ndarray:
        """Seekers still looking and not yet placed."""
        return np.flatnonzero(self.looking & (self.result < 0))


class BoardRecruitment:
    """Every school board recruits alone for all its sites (see the module docstring).

    Args:
        rounds: Rounds of the hiring season.
        applications_per_round: Applications (to boards) a seeker sends per round.
        tolerance: Contract fte a vacancy may be short of and still hold the seeker.
        upper_year_weight: Weight of an upper-year vacancy in a first-degree seeker's draw.
    """

    name = "board_recruitment"

    def __init__(
        self,
        rounds: int,
        applications_per_round: int,
        tolerance: float,
        upper_year_weight: float = 1.0,
    ) -> None:
        self.rounds = rounds
        self.applications_per_round = applications_per_round
        self.tolerance = tolerance
        self.upper_year_weight = upper_year_weight

    def place(
        self,
        seekers: Seekers,
        vacancies: Vacancies,
        attractiveness: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return, per seeker, the index of the vacancy they fill, or -1."""
        if len(seekers) == 0 or len(vacancies) == 0:
            return np.full(len(seekers), -1, dtype=np.int64)
        season = _Season(seekers, vacancies, attractiveness, self.tolerance, vacancies.board)
        attract = attractiveness[vacancies.school]
        weight_base = np.exp(attract - attract.max())
        cand = _Candidates(vacancies, attract, attractiveness, self.upper_year_weight)
        columns = [seekers.subject]
        if (seekers.subject2 >= 0).any():
            columns.append(seekers.subject2)
        groups = []
        for subj in columns:
            group = cand.group(np.maximum(subj, 0), seekers.degree)
            groups.append((subj >= 0, group, cand.floor_code(group, seekers.min_attractiveness)))
        smallest = float(seekers.fte.min())
        n_groups = max(int(cand.key.max()), *(int(g.max()) for _, g, _ in groups)) + 1
        if seekers.first_unit is not None:  # a first choice, before the rounds
            first = np.flatnonzero(seekers.first_unit >= 0)
            season.take(first, seekers.first_unit[first], rng)
        choose = _Choice(seekers, vacancies, attract)
        by_group = _Largest(cand.key, n_groups)
        n_apps = self.applications_per_round
        looks = choose.looks

        def draw(todo: np.ndarray, open_now: np.ndarray) -> np.ndarray:
            postings = np.full((todo.size, n_apps * looks), -1, dtype=np.int64)
            for has, group, floor in groups:  # second subject group when the first has none
                again = np.flatnonzero((postings[:, 0] < 0) & has[todo])
                if again.size:
                    postings[again] = self._postings(
                        todo[again],
                        group,
                        floor,
                        cand,
                        open_now,
                        weight_base,
                        rng,
                        smallest - self.tolerance,
                        n_apps * looks,
                    )
            # a posting too small for the seeker's contract is passed over
            holds = fits(seekers.fte[todo, None], open_now[postings], self.tolerance)
            postings = np.where(holds & (postings >= 0), cand.entry[postings], -1)
            return choose(todo, postings.reshape(todo.size, n_apps, looks), rng)

        for _ in range(self.rounds):
            open_now = cand.position_open(season.open_fte())
            # a seeker whose contract fits no open vacancy of their groups anywhere would
            # only be turned down: they keep looking but send no application
            largest = by_group.largest(open_now)
            todo = season.todo()
            hopeful = np.zeros(todo.size, dtype=bool)
            for has, group, _ in groups:
                hopeful |= has[todo] & fits(seekers.fte[todo], largest[group[todo]], self.tolerance)
            todo = todo[hopeful]
            if todo.size:
                applied = draw(todo, open_now)  # (n, applications) vacancies, -1 none
                season.take_in_turn(todo, applied, rng)
            season.end_of_round(rng)
        return season.result

    @staticmethod
    def _postings(
        todo, group, floor, cand, position_open, weight_base, rng, live_fte, m
    ) -> np.ndarray:
        """Each seeker in ``todo`` notices ``m`` postings (with replacement), an (n, m) array
        of positions in ``cand`` (all -1 when none is open to them).

        Within their group (see :class:`_Candidates`) a seeker draws a vacancy with probability
        proportional to its open fte times ``weight_base``, among the vacancies above their
        attractiveness floor whose open fte could hold the smallest contract sought
        (``live_fte``). The random numbers are drawn for all seekers at once, (n, m), in the
        order of the seekers sorted by group.
        """
        out = np.full((todo.size, m), -1, dtype=np.int64)
        live = np.flatnonzero(position_open >= max(live_fte, 0.05) - 1e-9)
        entry, entry_group, entry_code = cand.entry[live], cand.key[live], cand.code[live]
        entry_open = position_open[live]
        pref = cand.pref[live]
        # seekers in drawing order, with the span of their group's open vacancies
        who = _stable_argsort(group[todo])
        g = group[todo][who]
        if who.size == 0 or entry.size == 0:
            return out
        top = max(int(g[-1]), int(entry_group[-1])) + 2
        bounds = np.searchsorted(entry_group, np.arange(top))  # each group's entries
        first, last = bounds[g], bounds[g + 1]
        # one running sum over all groups: a group's weights are the stretch between the sum
        # before its first entry (or before the seeker's floor) and the sum at its last entry
        cum = np.cumsum(entry_open * weight_base[entry] * pref)
        before = np.concatenate([[0.0], cum])
        # a seeker only applies to schools above their attractiveness floor
        lo_idx = np.maximum(np.searchsorted(entry_code, floor[todo[who]], side="right"), first)
        ok = lo_idx < last
        who, lo_idx, last = who[ok], lo_idx[ok], last[ok]
        if who.size == 0:
            return out
        lo, hi = before[lo_idx], cum[last - 1]
        u = lo[:, None] + rng.random((who.size, m)) * (hi - lo)[:, None]
        # the entry whose running sum passes u, kept inside the seeker's span against rounding
        pick = np.clip(np.searchsorted(cum, u, side="right"), lo_idx[:, None], last[:, None] - 1)
        out[who] = live[pick]
        return out


class _Choice:
    """Which of the postings a seeker noticed they apply to (see the module docstring).

    A seeker looks at ``looks`` postings per application. Without homes or personal weights
    they apply to the first within reach (one look when nobody commutes). With personal
    weights each looks at :data:`DRAWS_PER_APPLICATION` postings and applies to the one with
    the largest ``taste_deviation + Gumbel noise`` among those within reach, where the
    deviation is the seeker's own utility of the school minus the shared attractiveness that
    made the posting noticed: the postings are a sample of ``open x exp(attractiveness)`` and
    this resampling makes the choice tend to ``open x exp(own utility)`` as the looks grow.
    """

    def __init__(self, seekers: Seekers, vacancies: Vacancies, attract: np.ndarray) -> None:
        self.seekers = seekers
        self.vacancies = vacancies
        self.attract = attract
        self.commuting = seekers.home is not None and vacancies.xy is not None
        self.tastes = seekers.taste is not None and vacancies.traits is not None
        self.looks = DRAWS_PER_APPLICATION if self.commuting or self.tastes else 1
        # flat columns, so a round's choice is a few operations on (seekers, postings)
        if self.commuting:
            self.hx, self.hy = seekers.home[:, 0].copy(), seekers.home[:, 1].copy()
            self.vx, self.vy = vacancies.xy[:, 0].copy(), vacancies.xy[:, 1].copy()
        if self.tastes:
            self.t = [seekers.taste[:, k].copy() for k in range(4)]
            traits = vacancies.traits
            self.standing, self.vmbo = traits[:, 0].copy(), traits[:, 1].copy()
            self.workload = traits[:, 2].copy()

    def __call__(self, todo: np.ndarray, postings: np.ndarray, rng) -> np.ndarray:
        """(n, applications, looks) postings of the seekers ``todo`` -> (n, applications)
        vacancies applied to (-1 none)."""
        if self.looks == 1:
            return postings[:, :, 0]
        n, apps, looks = postings.shape
        flat = postings.reshape(n, apps * looks)
        seen = flat >= 0
        v = np.maximum(flat, 0)
        if self.commuting:
            km = np.hypot(self.hx[todo][:, None] - self.vx[v], self.hy[todo][:, None] - self.vy[v])
            seen &= km <= self.seekers.max_commute[todo][:, None]
        if self.tastes:
            t = [c[todo][:, None] for c in self.t]
            score = (
                t[3] * self.standing[v]
                - t[1] * self.vmbo[v]
                - t[2] * self.workload[v]
                - self.attract[v]
                + rng.gumbel(size=flat.shape)
            )
            if self.commuting:
                score -= t[0] * km
        else:  # the first posting within reach
            score = np.broadcast_to(-np.tile(np.arange(looks, dtype=float), apps), flat.shape)
        score = np.where(seen, score, -np.inf).reshape(n * apps, looks)
        best = np.argmax(score, axis=1)
        rows = np.arange(n * apps)
        chosen = np.where(
            score[rows, best] > -np.inf, flat.reshape(n * apps, looks)[rows, best], -1
        )
        return chosen.reshape(n, apps)


class _Largest:
    """The largest value per key (keys fixed, values changing): ``np.maximum.at`` by one sort
    done once and a ``reduceat`` per call (many times faster for repeated calls)."""

    def __init__(self, key: np.ndarray, n_keys: int) -> None:
        self.order = np.argsort(key, kind="stable")
        sorted_key = key[self.order]
        change = np.ones(sorted_key.size, dtype=bool)  # (np.r_ costs more than the rest)
        np.not_equal(sorted_key[1:], sorted_key[:-1], out=change[1:])
        self.starts = np.flatnonzero(change)
        self.keys = sorted_key[self.starts] if key.size else sorted_key
        self.n_keys = n_keys

    def largest(self, values: np.ndarray) -> np.ndarray:
        """Per key, the largest of ``values`` (0 for keys without values, and at least 0)."""
        out = np.zeros(self.n_keys)
        if self.starts.size:
            out[self.keys] = np.maximum(np.maximum.reduceat(values[self.order], self.starts), 0)
        return out


class RegionalPool:
    """One regional vacancy pool for all boards, placing every seeker where the need is largest.

    The pool is the single recruiting unit: in random order, each seeker is placed at the
    region's fitting vacancy with the largest relative need. A seeker it cannot place in the
    first round has no fitting vacancy anywhere (open fte only falls during the season), so
    later rounds change nothing and are not run.

    Args:
        tolerance: Contract fte a vacancy may be short of and still hold the seeker.
    """

    name = "regional_pool"

    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance

    def place(
        self,
        seekers: Seekers,
        vacancies: Vacancies,
        attractiveness: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return, per seeker, the index of the vacancy they fill, or -1."""
        if len(seekers) == 0 or len(vacancies) == 0:
            return np.full(len(seekers), -1, dtype=np.int64)
        unit = np.zeros(len(vacancies), dtype=np.int64)
        season = _Season(seekers, vacancies, attractiveness, self.tolerance, unit)
        todo = season.todo()
        season.take(todo, np.zeros(todo.size, dtype=np.int64), rng)
        return season.result


def _cells(key: np.ndarray, keep: np.ndarray) -> dict[int, list[int]]:
    """The indices of the entries kept, by key (in index order within a key)."""
    idx = np.flatnonzero(keep)
    k = key[idx]
    order = np.argsort(k, kind="stable")
    sorted_key = k[order]
    change = np.ones(sorted_key.size + 1, dtype=bool)
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=change[1:-1])
    bounds = np.flatnonzero(change).tolist()
    members = idx[order].tolist()
    keys = sorted_key.tolist()
    return {keys[a]: members[a:b] for a, b in itertools.pairwise(bounds)} if keys else {}


def _stable_argsort(keys: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative integers, as 16-bit integers when
    they fit (numpy radix-sorts those, many times faster than its stable sort of int64);
    ``bound``, when given, is known to exceed every key."""
    if bound is not None:
        fits_16 = bound <= 2**16
    else:
        fits_16 = keys.size and keys.min() >= 0 and keys.max() < 2**16
    if fits_16:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


class _Candidates:
    """The vacancies each group of seekers may apply to, laid out group after group.

    A seeker's group is ``2 * subject`` for first-degree seekers (who fit both levels) and
    ``2 * subject + 1`` for the others (lower-year lessons, level 1, only). Within a group the
    vacancies are sorted by attractiveness (ties by vacancy index). ``code`` orders the entries
    by group and rank of attractiveness as integers, so a seeker's floor is compared exactly.
    ``pref`` is each entry's weight in the draw: ``upper_year_weight`` for upper-year (level 0)
    vacancies in a first-degree group, 1 otherwise.
    """

    def __init__(
        self,
        vacancies: Vacancies,
        attract: np.ndarray,
        attractiveness: np.ndarray,
        upper_year_weight: float = 1.0,
    ) -> None:
        every = np.arange(len(vacancies))
        lower = every[vacancies.level == 1]
        entry = np.concatenate([every, lower])
        key = np.concatenate([2 * vacancies.subject, 2 * vacancies.subject[lower] + 1])
        # by group, then attractiveness, ties by position: a stable sort of the integer codes
        # distinct attractiveness values of the schools (a superset of the vacancies' values
        # keeps every comparison exact, and there are fewer schools than vacancies)
        self.values = np.unique(attractiveness)
        code = self._code(key, attract[entry])
        order = _stable_argsort(code)
        self.entry = entry[order]
        self.key = key[order]
        self.code = code[order]
        upper = (vacancies.level[self.entry] == 0) & (self.key % 2 == 0)
        self.pref = np.where(upper, upper_year_weight, 1.0)
        # in a first-degree group an upper-year entry stands for the open hours of both levels
        # at its school and subject, and the lower-year entry it holds is not offered again
        partner = vacancies.partner[self.entry]
        first_group = self.key % 2 == 0
        self.combined = np.where(upper & (partner >= 0), partner, -1)
        self.hidden = first_group & (vacancies.level[self.entry] == 1) & (partner >= 0)

    def position_open(self, open_fte: np.ndarray) -> np.ndarray:
        """Open fte of every entry as its group sees it (see the constructor)."""
        out = open_fte[self.entry].copy()
        has = self.combined >= 0
        out[has] += open_fte[self.combined[has]]
        out[self.hidden] = 0.0
        return out

    @staticmethod
    def group(subject: np.ndarray, degree: np.ndarray) -> np.ndarray:
        """Each seeker's group for the given subject column."""
        return 2 * subject.astype(np.int64) + (degree != 1)

    def floor_code(self, group: np.ndarray, floor: np.ndarray) -> np.ndarray:
        """Codes such that an entry of the seeker's group is at most the floor iff its code is
        at most the seeker's."""
        return self._code(group, floor)

    def _code(self, group: np.ndarray, value: np.ndarray) -> np.ndarray:
        rank = np.searchsorted(self.values, value, side="right")  # distinct values <= value
        return group * (self.values.size + 1) + rank
