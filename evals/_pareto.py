"""Exact N-party Pareto frontiers of additive outcome spaces, without enumerating pairs.

Two facts keep this exact and fast:

1. The utilities of a package are a sum over issues, so the space is a Minkowski sum of the
   issues' option sets. A package that is Pareto-optimal in A (+) B is the sum of a point
   optimal in A and a point optimal in B (if its A-part were dominated, swapping that part
   would dominate the package). The frontier is therefore built issue by issue:
   F_k = nondominated(F_{k-1} (+) options_k), keeping back-pointers so that every package
   reaching a frontier vector can be listed at the end, ties included.
2. The nondominance filter compares points through bitsets: "the points of a chunk at least
   as good as c on party p" is a set of chunk members, stored as 64-bit words. A candidate
   is dominated when the AND over parties of those sets holds a member other than itself
   (rows are unique). No tolerance is needed: only order matters, so large inputs are first
   recoded per party as small integers with the same order and ties, and the sets become
   table lookups indexed by code. From 10^4 rows a quantile grid restricts the pairs
   compared to cells at or below each other on every party.

Sums are formed in issue order, the same order `OutcomeSpace` uses for its utility matrix, so
the frontier's vectors are bit-identical to the matrix rows they stand for.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

CHUNK = 2048  # dominator points per bitset chunk (32 words of 64 bits)
BLOCK = 8192  # candidates tested per vectorised step
GRID_MIN_ROWS = 10_000  # below this the sum-ordered pass is faster (measured on integer codes)
GRID_CELL_ROWS = 128  # target mean rows per grid cell when choosing the number of levels
CODE_SPAN = 4096  # integer columns spanning fewer values are coded as value - min
TABLE_WORDS = 1 << 18  # largest per-chunk lookup table (words) indexed by raw codes

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _suffix_bitsets(values: FloatArray) -> tuple[FloatArray, NDArray[np.uint64]]:
    """Sorted values and, for each rank r, the bitset of points with rank >= r.

    Built as a prefix OR in descending order (row t = the t largest points), so no reversed
    copy is made: the set for ascending rank r is row k - r.
    """
    k = values.shape[0]
    words = (k + 63) // 64
    order = np.argsort(values, kind="stable")
    descending = order[::-1]
    onehot = np.zeros((k + 1, words), dtype=np.uint64)
    onehot[np.arange(1, k + 1), descending // 64] = np.left_shift(
        np.uint64(1), (descending % 64).astype(np.uint64)
    )
    np.bitwise_or.accumulate(onehot, axis=0, out=onehot)
    return values[order], onehot


def nondominated(points: FloatArray) -> NDArray[np.bool_]:
    """Mask of rows not weakly dominated (>= on every column, > on one) by another row.

    Rows must be unique. Large inputs go through the grid pass (`_grid_nondominated`), small
    ones through the sum-ordered pass (`_sum_ordered_nondominated`); both compute the same
    mask exactly (only comparisons of the input values, no tolerance).
    """
    m, n_parties = points.shape
    if m >= GRID_MIN_ROWS and n_parties >= 2:
        levels = max(2, int((m / GRID_CELL_ROWS) ** (1.0 / n_parties)))
        return _grid_nondominated(points, levels)
    return _sum_ordered_nondominated(points)


def _order_codes(points: FloatArray) -> tuple[NDArray[np.int32], list[int]]:
    """Per column, nonnegative integer codes with exactly the order and ties of the values.

    Integer-valued columns spanning fewer than CODE_SPAN values become `value - min` (exact:
    both are integers far below 2^53); other columns become dense ranks (np.unique). Only
    comparisons of codes are made from here on, so the result is that of the values.
    Returns the (n_parties, m) codes and, per party, one more than the largest code.
    """
    m, n_parties = points.shape
    by_party = np.ascontiguousarray(points.T)  # one transposing pass; columns then contiguous
    codes = np.empty((n_parties, m), dtype=np.int32)
    lows, highs = by_party.min(axis=1), by_party.max(axis=1)
    integral = np.array_equal(by_party, np.floor(by_party))
    sizes = []
    for p in range(n_parties):
        column = by_party[p]
        low, high = float(lows[p]), float(highs[p])
        if high - low < CODE_SPAN and (integral or np.array_equal(column, np.floor(column))):
            np.subtract(column, low, out=codes[p], casting="unsafe")
            sizes.append(int(high - low) + 1)
        else:
            _, inverse = np.unique(column, return_inverse=True)
            codes[p] = inverse.ravel()
            sizes.append(int(codes[p].max()) + 1)
    return codes, sizes


def _pack_codes(codes: NDArray[np.int32], sizes: list[int]) -> tuple[NDArray[np.uint64], int,
                                                                      list[int]] | None:
    """One 64-bit word per row holding every party's code, for a one-op bound test.

    Field p is b_p = bit_length(size_p) value bits under a guard bit. For a bound t and a row
    x, ((t | guards) - x) & guards == guards exactly when t_p >= x_p on every party: a field's
    guard bit absorbs its own borrow, so fields never interact. A word with every value bit
    set and no guard bit (`~guards`) exceeds every code in every field without borrowing, so
    a row overwritten with it fails every bound. None when the fields need more than 64 bits.
    """
    widths = [size.bit_length() + 1 for size in sizes]
    if sum(widths) > 64:
        return None
    packed = np.zeros(codes.shape[1], dtype=np.uint64)
    guards, shift, shifts = 0, 0, []
    for p, width in enumerate(widths):
        packed |= codes[p].astype(np.uint64) << np.uint64(shift)
        guards |= 1 << (shift + width - 1)
        shifts.append(shift)
        shift += width
    return packed, guards, shifts


def _grid_nondominated(points: FloatArray, levels: int, *, pack: bool = True,
                       table_words: int = TABLE_WORDS) -> NDArray[np.bool_]:
    """The nondominance mask through a quantile grid, for frontiers of 10^4 rows and more.

    Each party's values are cut at `levels - 1` quantiles; a row's cell is its vector of
    levels. If y >= x on every party then level(y) >= level(x) on every party, so the rows of
    a cell C can only dominate rows of cells at or below C on every party: with 3 levels in 7
    dimensions about 2% of row pairs remain (against all higher-sum rows in the sum-ordered
    pass, whose cost is candidates x frontier). Every party is compared: C itself is always
    among its candidate cells, so no party is settled for a whole cell (the earlier code
    tested for one and never found it). Cells are visited from the highest level sum down
    and only surviving rows act as dominators: a dominated row's own dominator chain ends in
    a surviving row of a cell that is also at or above, so nothing is missed.

    All comparisons are on integer codes of the values (`_order_codes`, same order and ties).
    Candidates above the cell's members on some party are discarded first, with one packed
    word per row (`_pack_codes`) when the codes fit in 64 bits. `pack` and `table_words`
    exist so the tests can force the unpacked and the local-code paths on small inputs.
    """
    m, n_parties = points.shape
    codes, sizes = _order_codes(points)
    level = np.empty((n_parties, m), dtype=np.int64)
    code = np.zeros(m, dtype=np.int64)
    positions = np.arange(1, levels) * m // levels  # sorted positions of the cuts
    for p in range(n_parties):
        below_or_at = np.cumsum(np.bincount(codes[p], minlength=sizes[p]))
        cuts = np.unique(np.searchsorted(below_or_at, positions, side="right"))  # quantiles
        level_of_code = np.searchsorted(cuts, np.arange(sizes[p]), side="right")
        level[p] = level_of_code[codes[p]]
        code = code * (levels + 1) + level[p]
    order = np.argsort(code, kind="stable")
    _, starts, counts = np.unique(code[order], return_index=True, return_counts=True)
    cell_level = np.ascontiguousarray(level[:, order[starts]].T)
    columns = np.ascontiguousarray(codes[:, order])
    cell_min = np.ascontiguousarray(np.minimum.reduceat(columns, starts, axis=1).T)
    packing = _pack_codes(columns, sizes) if pack else None
    # the per-cell tests "at or below C" and "min <= the members' top" as one packed op each
    level_packing = _pack_codes(np.ascontiguousarray(cell_level.T), [levels] * n_parties)
    if not pack:
        level_packing = None
    min_packed = (_pack_codes(np.ascontiguousarray(cell_min.T), sizes)[0]
                  if packing is not None else None)
    parties = np.arange(n_parties)  # C is among its own candidate cells: no party is settled
    alive = np.ones(m, dtype=bool)
    for c in np.argsort(-cell_level.sum(axis=1), kind="stable"):
        first = int(starts[c])
        members = np.flatnonzero(alive[first : first + counts[c]]) + first
        if members.size == 0:
            continue
        if level_packing is not None:
            lv_packed, lv_guards, _ = level_packing
            lv_word = np.uint64(lv_guards | int(lv_packed[c]))
            below = np.flatnonzero(((lv_word - lv_packed) & np.uint64(lv_guards))
                                   == np.uint64(lv_guards))
        else:
            below = np.flatnonzero(np.all(cell_level <= cell_level[c], axis=1))
        for lo in range(0, members.size, CHUNK):
            chunk = members[lo : lo + CHUNK]
            member_codes = columns[:, chunk]
            top = member_codes.max(axis=1)
            if packing is not None:
                packed, guards, shifts = packing
                bound = guards
                for p in range(n_parties):
                    bound |= int(top[p]) << shifts[p]
                word, guard_word = np.uint64(bound), np.uint64(guards)
                cells = below[((word - min_packed[below]) & guard_word) == guard_word]
            else:
                cells = below[np.all(cell_min[below] <= top, axis=1)]
            sizes_c = counts[cells]
            offsets = np.repeat(starts[cells] - (np.cumsum(sizes_c) - sizes_c), sizes_c)
            candidates = offsets + np.arange(int(sizes_c.sum()))
            if packing is not None:  # dead rows are packed as ~guards: they never pass
                candidates = candidates[((word - packed[candidates]) & guard_word) == guard_word]
            else:
                candidates = candidates[alive[candidates]]
                candidates = candidates[np.all(columns[:, candidates] <= top[:, None], axis=0)]
            if candidates.size == 0:
                continue
            dead = candidates[_dominated_by_chunk(columns, sizes, chunk, member_codes,
                                                  candidates, parties, table_words)]
            alive[dead] = False
            if packing is not None:
                packing[0][dead] = np.uint64(~packing[1] & 0xFFFF_FFFF_FFFF_FFFF)
    out = np.empty(m, dtype=bool)
    out[order] = alive
    return out


def _dominated_by_chunk(
    columns: NDArray[np.int32], sizes: list[int], chunk: IntArray,
    member_codes: NDArray[np.int32], candidates: IntArray, parties: IntArray, table_words: int,
) -> NDArray[np.bool_]:
    """Per candidate: weakly dominated, on `parties`, by a row of `chunk` other than itself.

    The caller guarantees every member is >= every candidate on the other parties and that
    no candidate exceeds the members' maximum on any party. Rows are unique, so >= on every
    party by another row is domination. For each party and each 64-bit word of the chunk a
    table gives, per code v, the members with code >= v; a candidate's set is one lookup
    per party and word, and it is dominated when the AND over parties, with its own bit
    cleared, is not empty. Codes index the table directly when the tables stay within
    `table_words` words; otherwise codes are first replaced by their rank among the members'.
    """
    n, k = member_codes.shape
    words = (k + 63) // 64
    # candidates ascend, so those that can be chunk members form one slice: search only those
    lo, hi = candidates.searchsorted(chunk[0]), candidates.searchsorted(chunk[-1] + 1)
    inner = candidates[lo:hi]
    at = np.minimum(np.searchsorted(chunk, inner), k - 1)
    is_member = chunk[at] == inner
    own_rows, own_pos = np.flatnonzero(is_member) + lo, at[is_member]
    if n == 0:  # every member is >= every candidate on every party
        dominated = np.ones(candidates.size, dtype=bool)
        if k == 1:
            dominated[own_rows] = False
        return dominated
    cand_codes = np.take(columns, candidates, axis=1)
    if parties.size < columns.shape[0]:
        cand_codes = cand_codes[parties]
    span = [sizes[p] for p in parties]
    if max(span) * n * words <= table_words:
        local_members, local_cands, width = member_codes, cand_codes, max(span)
    else:
        local_members = np.empty_like(member_codes)
        local_cands = np.empty_like(cand_codes)
        width = 0
        for i in range(n):
            values = np.unique(member_codes[i])
            local_members[i] = np.searchsorted(values, member_codes[i])
            local_cands[i] = np.searchsorted(values, cand_codes[i])
            width = max(width, values.size)
    # table[w, i, r]: the members of word w whose code on party i is >= width - r (a prefix
    # OR over r, so codes are stored reversed and the accumulation runs forward in place)
    member = np.arange(k)
    table = np.zeros((words, n, width + 1), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (member % 64).astype(np.uint64))
    np.bitwise_or.at(table, (np.broadcast_to(member // 64, (n, k)), np.arange(n)[:, None],
                             width - local_members), np.broadcast_to(bits, (n, k)))
    np.bitwise_or.accumulate(table, axis=2, out=table)
    flat = (np.arange(n) * (width + 1) + width)[:, None] - local_cands
    own_word = own_pos // 64
    own_mask = ~np.left_shift(np.uint64(1), (own_pos % 64).astype(np.uint64))
    found = None
    for w in range(words):
        sets = table[w].reshape(-1)[flat]
        hit = sets[0]
        for i in range(1, n):
            np.bitwise_and(hit, sets[i], out=hit)
        mine = own_word == w  # a member is >= itself on every party: clear its bit
        hit[own_rows[mine]] &= own_mask[mine]
        found = hit if found is None else np.bitwise_or(found, hit, out=found)
    return found != 0


def _sum_ordered_nondominated(points: FloatArray) -> NDArray[np.bool_]:
    """The nondominance mask by chunks of the highest-sum survivors (best below 10^4 rows).

    Rows must be unique (callers deduplicate): then a row that is >= another on every column
    and is not that row itself is > on some column, so the test needs only the "at least as
    good" sets: the AND over parties, with the candidate's own bit cleared when it belongs
    to the chunk. That halves the work of the "strictly better" sets it used to build.
    """
    m, n_parties = points.shape
    alive = np.ones(m, dtype=bool)
    if m <= 1:
        return alive
    sums = points.sum(axis=1)
    order = np.argsort(-sums, kind="stable")
    sorted_points = np.ascontiguousarray(points[order])
    sorted_sums = sums[order]
    columns = [np.ascontiguousarray(sorted_points[:, p]) for p in range(n_parties)]
    alive_sorted = np.ones(m, dtype=bool)
    start = 0
    while start < m:
        # A dominator has a sum larger than what it dominates, so a chunk of the highest-sum
        # survivors only needs testing against rows from its own sum level down.
        members = np.flatnonzero(alive_sorted[start:])[:CHUNK] + start
        if members.size == 0:
            break
        chunk = sorted_points[members]
        first = int(np.searchsorted(-sorted_sums, -sorted_sums[members[0]], side="left"))
        tables = [_suffix_bitsets(chunk[:, p]) for p in range(n_parties)]
        top = chunk.max(axis=0)
        candidates = np.flatnonzero(alive_sorted[first:]) + first
        # a row above the chunk's best on some party cannot be dominated by the chunk
        possible = np.ones(candidates.size, dtype=bool)
        for p in range(n_parties):
            possible &= columns[p][candidates] <= top[p]
        candidates = candidates[possible]
        for lo in range(0, candidates.size, BLOCK):
            block = candidates[lo : lo + BLOCK]
            at_least = None
            for p, (vals, suffix) in enumerate(tables):
                ge = suffix[vals.size - np.searchsorted(vals, columns[p][block], side="left")]
                at_least = ge if at_least is None else np.bitwise_and(at_least, ge, out=at_least)
            own = np.searchsorted(members, block)
            own_hit = (own < members.size) & (members[np.minimum(own, members.size - 1)] == block)
            if own_hit.any():  # a chunk member is >= itself on every party: clear its bit
                rows = np.flatnonzero(own_hit)
                bits = own[rows]
                at_least[rows, bits // 64] &= ~np.left_shift(
                    np.uint64(1), (bits % 64).astype(np.uint64))
            dominated = np.any(at_least, axis=1)
            alive_sorted[block[dominated]] = False
        start = int(members[-1]) + 1
    alive[order] = alive_sorted
    return alive


def _column_extremes(points: FloatArray, fold: int = 8) -> tuple[FloatArray, FloatArray]:
    """Per-column minimum and maximum of a C-ordered (m, n) array.

    numpy reduces axis 0 of a narrow array row by row; viewing `fold` rows as one row of
    fold * n values first makes each step `fold` times wider (3-5x faster at n = 7). Minima
    and maxima are exact, so the result is that of points.min(axis=0) and max(axis=0).
    """
    m, n = points.shape
    head = (m // fold) * fold
    lows, highs = [], []
    if head:
        block = points[:head].reshape(-1, fold * n)
        lows.append(block.min(axis=0).reshape(fold, n).min(axis=0))
        highs.append(block.max(axis=0).reshape(fold, n).max(axis=0))
    if head < m:
        lows.append(points[head:].min(axis=0))
        highs.append(points[head:].max(axis=0))
    return np.min(lows, axis=0), np.max(highs, axis=0)


def _row_keys(points: FloatArray) -> IntArray | None:
    """One int64 per row, equal exactly when the rows are equal, or None.

    For integer-valued rows below 2^53 in magnitude whose per-column spans multiply to less
    than 2^62: the mixed-radix number of (value - column minimum), exact in int64. Sorting
    these is several times faster than sorting the rows' bytes.
    """
    if points.size == 0 or not np.array_equal(points, np.floor(points)):
        return None
    low, high = _column_extremes(points)
    if max(float(np.abs(low).max()), float(np.abs(high).max())) >= 2.0**53:
        return None
    spans = [int(h - lo) + 1 for lo, h in zip(low, high)]
    total = 1
    for span in spans:
        total *= span
    if total >= 2**62:
        return None
    key = np.zeros(points.shape[0], dtype=np.int64)
    for p, span in enumerate(spans):
        key *= span
        key += (points[:, p] - low[p]).astype(np.int64)
    return key


def _unique_rows(points: FloatArray) -> tuple[FloatArray, IntArray]:
    """Unique rows (in an order that depends only on the set of rows) and the inverse map.

    Rows are compared by value (-0.0 equals 0.0: every later test compares values), through
    integer keys when `_row_keys` applies, else through the bytes of the rows plus 0.0.
    """
    contiguous = np.ascontiguousarray(points)
    key = _row_keys(contiguous)
    if key is None:
        contiguous = contiguous + 0.0  # -0.0 becomes 0.0, so equal values share their bytes
        key = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * points.shape[1])))
    _, first, inverse = np.unique(key.ravel(), return_index=True, return_inverse=True)
    return contiguous[first], inverse.ravel().astype(np.int64)


def frontier_packages(
    tables: list[FloatArray], allowed: list[NDArray[np.bool_]] | None = None
) -> IntArray:
    """Sorted mixed-radix indices of every package on the Pareto frontier.

    Args:
        tables: per issue, an (n_options, n_parties) array of points.
        allowed: per issue, a mask of options that may be used (red lines); the frontier is
            then that of the sub-box of allowed packages. Indices still refer to the full space.

    Returns:
        Package indices in the full space (issue 0 most significant), ascending.
    """
    n_parties = tables[0].shape[1]
    radices = [t.shape[0] for t in tables]
    strides = np.cumprod([1] + radices[::-1][:-1])[::-1].astype(np.int64)
    vectors = np.zeros((1, n_parties), dtype=np.float64)
    links: list[tuple[IntArray, IntArray, IntArray]] = []  # (child, parent, option) per issue
    for k, table in enumerate(tables):
        options = np.arange(table.shape[0])
        if allowed is not None:
            options = options[allowed[k]]
        if options.size == 0:
            return np.empty(0, dtype=np.int64)
        opt_points = table[options].astype(np.float64)
        opt_unique, opt_inverse = _unique_rows(opt_points)
        useful = nondominated(opt_unique)[opt_inverse]
        options, opt_points = options[useful], opt_points[useful]
        sums = vectors[:, None, :] + opt_points[None, :, :]
        parent = np.repeat(np.arange(vectors.shape[0]), options.size)
        option = np.tile(options, vectors.shape[0])
        unique, inverse = _unique_rows(sums.reshape(-1, n_parties))
        keep = nondominated(unique)
        new_id = np.full(unique.shape[0], -1, dtype=np.int64)
        new_id[keep] = np.arange(int(keep.sum()))
        child = new_id[inverse]
        kept = child >= 0
        links.append((child[kept], parent[kept], option[kept].astype(np.int64)))
        vectors = unique[keep]
    return _expand(links, strides, vectors.shape[0])


def _expand(
    links: list[tuple[IntArray, IntArray, IntArray]], strides: IntArray, n_final: int
) -> IntArray:
    """List every package: every path of back-pointers from the root to a final vector.

    A backward pass marks the vectors of each issue that reach a final one (boolean scatters,
    no sort); the forward pass then expands paths from the root along marked edges only. Each
    issue's edges are stored in parent order (they are generated parent-major and filtered in
    place), so a node's edges are one run found through a bincount.
    """
    # vectors per issue: the root, then every kept vector (each is the child of some edge)
    n_nodes = [1] + [int(child.max()) + 1 if child.size else 0 for child, _, _ in links]
    reach = np.ones(n_final, dtype=bool)
    useful: list[NDArray[np.bool_]] = []
    for k in range(len(links) - 1, -1, -1):
        child, parent, _ = links[k]
        ok = reach[child]
        useful.append(ok)
        reach = np.zeros(n_nodes[k], dtype=bool)
        reach[parent[ok]] = True
    useful.reverse()
    node = np.zeros(1, dtype=np.int64)
    index = np.zeros(1, dtype=np.int64)
    for k, ((child, parent, option), ok) in enumerate(zip(links, useful)):
        child, parent, option = child[ok], parent[ok], option[ok]
        per_parent = np.bincount(parent, minlength=int(node.max()) + 1)
        first = np.cumsum(per_parent) - per_parent
        counts = per_parent[node]
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        edge = np.repeat(first[node], counts) + offsets
        index = np.repeat(index, counts) + option[edge] * strides[k]
        node = child[edge]
    return np.sort(index)
