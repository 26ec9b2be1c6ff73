/*
 * bpclass._speedups: the per-line feature scan and the tree walk in C.
 *
 * Optional: bpclass works without it (bpclass/features.py and
 * bpclass/estimator.py hold the reference implementation in Python), and the
 * tests check that both give identical numbers. What this module computes:
 *
 *   scan_lines(texts, page_starts, out, needs, share, found, repeats[, lexicon, lexical])
 *       For each stripped, non-blank line: the LINE_FEATURES columns (the
 *       patterns matched here as the regexes would; Python runs a regex only
 *       where `needs` or the returned candidates say it may match), the
 *       page-level prose-vocabulary overlap (share_words_in_prose,
 *       n_words_in_prose), how many lines of the page share its text and,
 *       given a lexicon, the sum of its words' weights over sqrt(words), how
 *       many of its words the lexicon knows, and its words (3 columns of `lexical`).
 *
 *   make_lexicon(words, weights), lexicon_rows(texts, lexicon, out)
 *       A model's word weights (a capsule for scan_lines); what they say of
 *       many lines (for training).
 *
 *   strip_pages(pages, non_blank[, lengths]), fill_context(X, bounds, ...)
 *       Strip the lines of many pages (and say how long each kept one is); the
 *       neighbour and window columns.
 *
 *   forest_scores(X, n_features, feature, threshold, leaf, depth, out[, rows])
 *       Adds to out[i] the leaf value row i of X (or row rows[i]) reaches in every
 *       tree (trees laid out as perfect binary trees), one tree after another.
 *
 *   configure(word_sets, cjk_stop, fold_chars, phrase_lists)
 *       The word lists of bpclass.patterns, once, before any scan.
 *
 * Character classes follow Python's re module on str patterns: a word
 * character is alphanumeric (str.isalnum) or "_", a digit is a decimal digit,
 * white space is str.isspace. Words are lower-cased as str.lower does.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Must match bpclass/features.py. */
#define MAX_PATTERN_CHARS 2000
#define N_LINE_FEATURES 25
#define PROSE_MIN_WORDS 12
#define MAX_SEPARATORS 10
#define MAX_BOILER 5

/* Bits of a word's entry in the word table (bit k = the k-th word set passed
 * to configure(); see bpclass/features.py). */
#define W_STOP 1
#define W_MONTH 2
#define W_WEEKDAY 4
#define W_RELATIVE 8
#define W_COPYRIGHT 16
#define W_CAPTION 32
#define W_BOILER 64
#define W_BYLINE 128
#define W_RELATIVE_START 256       /* a match of RELATIVE_TIME can start at the word */
#define W_RELATIVE_START_DIGIT 512 /* ... when the line has a digit */
#define W_RELATIVE_END 1024        /* a match can end with the word */
#define W_RELATIVE_END_DIGIT 2048  /* ... when the line has a digit */
#define W_URL 4096
#define W_COMMENT 8192 /* a word of a comment-section heading ("comments", "reply") */
#define W_WEEKDAY_WHOLE 16384 /* a whole weekday name: WEEKDAY matches at it between word boundaries */
#define N_WORD_SETS 15
/* Tokens whose start may start a match of a candidate pattern. */
#define W_ANCHORS                                                                                                      \
    (W_MONTH | W_WEEKDAY | W_WEEKDAY_WHOLE | W_COPYRIGHT | W_CAPTION | W_BOILER | W_URL | W_RELATIVE_START |             \
     W_RELATIVE_START_DIGIT)
/* Flags of a candidate entry besides its word bits. */
#define E_FOLD (1 << 20)      /* a word holding a character that re.I folds unlike str.lower */
#define E_COPY_SIGN (1 << 21) /* a copyright sign */
#define E_URL_DOT (1 << 22)   /* a dot that may start ".com" */
#define E_NUMERIC (1 << 23)   /* the start of a run of digits that may start a date or time */

/* Bits of `needs`: patterns Python must search the whole line for. Keep in step
 * with NEED_* in bpclass/features.py. */
#define N_RELATIVE 1
/* 2 is free: EMAIL is matched here (email_at) */
#define N_BYLINE 4
#define N_COMMENT 8 /* not a pattern to search: the line holds a comment word (bpclass.policy) */

/* Kinds of the (line, kind, position) candidates: Python tries the pattern at
 * (or just before) the position. Keep in step with CAND_* in bpclass/features.py. */
#define K_MONTH 1
#define K_WEEKDAY 2
#define K_BOILER 3
#define K_COPYRIGHT 4
#define K_CAPTION 5
#define K_URL 6
#define K_RELATIVE 7

/* ---------------------------------------------------------------- words -- */

/* Open-addressing table of lower-cased words (UCS-4) -> bit mask. */
typedef struct { /* 16 bytes: the table of about 800 words stays in the L1 cache */
    uint64_t hash;
    uint32_t start; /* into word_pool */
    uint16_t len;   /* 0: empty slot */
    uint16_t mask;
} WordSlot;

static WordSlot *word_table = NULL;
static size_t word_table_size = 0; /* a power of two */
static Py_UCS4 *word_pool = NULL;
static Py_ssize_t word_pool_len = 0;
static int configured = 0;

/* Phrase lists (lower case, longest first, as a regex alternation tries them):
 * BOILER_PHRASES and COPYRIGHT_PHRASES, each matched between word boundaries. */
#define MAX_PHRASES 256
#define N_PHRASE_LISTS 3
#define P_BOILER 0
#define P_COPYRIGHT 1
#define P_BYLINE 2
static Py_UCS4 *phrase_text[N_PHRASE_LISTS][MAX_PHRASES];
static Py_ssize_t phrase_len[N_PHRASE_LISTS][MAX_PHRASES];
static Py_ssize_t phrase_count[N_PHRASE_LISTS];

/* CJK function characters: a bitmap over U+3000..U+9FFF. */
#define CJK_LO 0x3000
#define CJK_HI 0xA000
static unsigned char cjk_stop[(CJK_HI - CJK_LO) / 8];

/* Characters that re.IGNORECASE matches to a letter of a pattern although
 * str.lower maps them elsewhere (e.g. U+017F long s matches "s"). */
#define MAX_FOLD 64
static Py_UCS4 fold_chars[MAX_FOLD];
static Py_ssize_t fold_count = 0;

/* PyMem_Realloc to ``count`` items of ``item`` bytes; NULL with MemoryError set on failure
 * (the old block is then left as it was, for its owner to free). */
static void *
resized(void *array, size_t count, size_t item)
{
    void *bigger = PyMem_Realloc(array, count * item);
    if (!bigger)
        PyErr_NoMemory();
    return bigger;
}

static inline int
is_fold(Py_UCS4 ch)
{
    for (Py_ssize_t i = 0; i < fold_count; i++)
        if (fold_chars[i] == ch)
            return 1;
    return 0;
}

static inline int
same_ucs4(const Py_UCS4 *a, const Py_UCS4 *b, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static uint64_t
hash_ucs4(const Py_UCS4 *s, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (uint64_t)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static int
word_lookup(const Py_UCS4 *s, Py_ssize_t n, uint64_t h)
{
    if (!word_table_size || n == 0)
        return 0;
    size_t mask = word_table_size - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        WordSlot *slot = &word_table[i];
        if (slot->len == 0)
            return 0;
        if (slot->hash == h && slot->len == n &&
            same_ucs4(word_pool + slot->start, s, n))
            return slot->mask;
    }
}

/* Add `word` (a str, already lower-case) with bit `bit`. */
static int
word_insert(PyObject *word, int bit, size_t *used)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n == 0)
        return 0;
    if (n > 1000 || word_pool_len > 100000000) {
        PyErr_SetString(PyExc_ValueError, "word lists hold short words");
        return -1;
    }
    Py_UCS4 *buf = PyUnicode_AsUCS4Copy(word);
    if (!buf)
        return -1;
    uint64_t h = hash_ucs4(buf, n);
    size_t mask = word_table_size - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        WordSlot *slot = &word_table[i];
        if (slot->len == 0) {
            Py_UCS4 *pool = resized(word_pool, (size_t)(word_pool_len + n), sizeof(Py_UCS4));
            if (!pool) {
                PyMem_Free(buf);
                return -1;
            }
            word_pool = pool;
            memcpy(word_pool + word_pool_len, buf, (size_t)n * sizeof(Py_UCS4));
            slot->hash = h;
            slot->start = (uint32_t)word_pool_len;
            slot->len = (uint16_t)n;
            slot->mask = (uint16_t)bit;
            word_pool_len += n;
            (*used)++;
            break;
        }
        if (slot->hash == h && slot->len == n &&
            memcmp(word_pool + slot->start, buf, (size_t)n * sizeof(Py_UCS4)) == 0) {
            slot->mask = (uint16_t)(slot->mask | bit);
            break;
        }
    }
    PyMem_Free(buf);
    return 0;
}

static PyObject *
configure(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *sets, *cjk, *fold, *phrases;
    if (!PyArg_ParseTuple(args, "O!UUO!", &PyList_Type, &sets, &cjk, &fold, &PyList_Type, &phrases))
        return NULL;
    if (PyList_GET_SIZE(phrases) != N_PHRASE_LISTS) {
        PyErr_Format(PyExc_ValueError, "expected %d phrase lists", N_PHRASE_LISTS);
        return NULL;
    }
    for (int t = 0; t < N_PHRASE_LISTS; t++) {
        PyObject *list = PyList_GET_ITEM(phrases, t);
        if (!PyList_Check(list) || PyList_GET_SIZE(list) > MAX_PHRASES) {
            PyErr_SetString(PyExc_ValueError, "a phrase list must be a list of at most 256 str");
            return NULL;
        }
        for (Py_ssize_t k = 0; k < phrase_count[t]; k++)
            PyMem_Free(phrase_text[t][k]);
        phrase_count[t] = 0;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(list); k++) {
            PyObject *phrase = PyList_GET_ITEM(list, k);
            if (!PyUnicode_Check(phrase)) {
                PyErr_SetString(PyExc_TypeError, "phrases must be str");
                return NULL;
            }
            phrase_text[t][k] = PyUnicode_AsUCS4Copy(phrase);
            if (!phrase_text[t][k])
                return NULL;
            phrase_len[t][k] = PyUnicode_GET_LENGTH(phrase);
            phrase_count[t] = k + 1;
        }
    }
    Py_ssize_t n_sets = PyList_GET_SIZE(sets);
    if (n_sets != N_WORD_SETS) {
        PyErr_Format(PyExc_ValueError, "expected %d word sets", N_WORD_SETS);
        return NULL;
    }
    Py_ssize_t n_fold = PyUnicode_GET_LENGTH(fold);
    if (n_fold > MAX_FOLD) {
        PyErr_SetString(PyExc_ValueError, "too many fold characters");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n_fold; i++)
        fold_chars[i] = PyUnicode_READ_CHAR(fold, i);
    fold_count = n_fold;
    size_t total = 0;
    for (Py_ssize_t k = 0; k < n_sets; k++) {
        Py_ssize_t size = PyObject_Size(PyList_GET_ITEM(sets, k));
        if (size < 0)
            return NULL;
        total += (size_t)size;
    }
    size_t size = 64;
    while (size < 2 * total)
        size <<= 1;
    PyMem_Free(word_table);
    PyMem_Free(word_pool);
    word_pool = NULL;
    word_pool_len = 0;
    word_table = PyMem_Calloc(size, sizeof(WordSlot));
    if (!word_table) {
        word_table_size = 0;
        return PyErr_NoMemory();
    }
    word_table_size = size;
    size_t used = 0;
    for (Py_ssize_t k = 0; k < n_sets; k++) {
        PyObject *iter = PyObject_GetIter(PyList_GET_ITEM(sets, k));
        if (!iter)
            return NULL;
        PyObject *item;
        while ((item = PyIter_Next(iter))) {
            if (!PyUnicode_Check(item)) {
                Py_DECREF(item);
                Py_DECREF(iter);
                PyErr_SetString(PyExc_TypeError, "word sets hold str");
                return NULL;
            }
            int rc = word_insert(item, 1 << k, &used);
            Py_DECREF(item);
            if (rc < 0) {
                Py_DECREF(iter);
                return NULL;
            }
        }
        Py_DECREF(iter);
        if (PyErr_Occurred())
            return NULL;
    }
    memset(cjk_stop, 0, sizeof(cjk_stop));
    Py_ssize_t n = PyUnicode_GET_LENGTH(cjk);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(cjk, i);
        if (ch < CJK_LO || ch >= CJK_HI) {
            PyErr_SetString(PyExc_ValueError, "CJK function characters must lie in U+3000..U+9FFF");
            return NULL;
        }
        cjk_stop[(ch - CJK_LO) >> 3] |= (unsigned char)(1 << ((ch - CJK_LO) & 7));
    }
    configured = 1;
    Py_RETURN_NONE;
}

/* Strings made by the old (pre-3.3) C API must be made ready before their data is
 * read; from Python 3.12 on every string is. */
static inline int
ensure_ready(PyObject *text)
{
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_READY(text);
#else
    (void)text;
    return 0;
#endif
}

/* 0 if obj is a str, made ready; else -1 with a TypeError saying `message`. */
static int
ready_str(PyObject *obj, const char *message)
{
    if (!PyUnicode_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, message);
        return -1;
    }
    return ensure_ready(obj);
}

/* ------------------------------------------------------ character classes -- */

/* Classes of a character as re sees it: \w, [^\W\d_], \d, \s. */
#define C_WORD 1
#define C_LETTER 2
#define C_DECIMAL 4
#define C_SPACE 8
static unsigned char ascii_class[128];

static inline int
slow_class(Py_UCS4 ch)
{
    if (ch == '_')
        return C_WORD;
    if (Py_UNICODE_ISALNUM(ch))
        return C_WORD | (Py_UNICODE_ISDECIMAL(ch) ? C_DECIMAL : C_LETTER);
    return Py_UNICODE_ISSPACE(ch) ? C_SPACE : 0;
}

static inline int
char_class(Py_UCS4 ch)
{
    return ch < 128 ? ascii_class[ch] : slow_class(ch);
}

static inline int
is_word(Py_UCS4 ch) /* re's \w */
{
    return char_class(ch) & C_WORD;
}

static inline int
is_letter(Py_UCS4 ch) /* [^\W\d_] */
{
    return char_class(ch) & C_LETTER;
}

static inline int
is_space(Py_UCS4 ch)
{
    return char_class(ch) & C_SPACE;
}

static inline int
is_decimal(Py_UCS4 ch)
{
    return char_class(ch) & C_DECIMAL;
}

static inline int
is_cjk(Py_UCS4 ch)
{
    return (ch >= 0x3040 && ch <= 0x30ff) || (ch >= 0x3400 && ch <= 0x4dbf) || (ch >= 0x4e00 && ch <= 0x9fff) ||
           (ch >= 0xf900 && ch <= 0xfaff) || (ch >= 0xac00 && ch <= 0xd7af);
}

static inline int
is_separator(Py_UCS4 ch)
{
    switch (ch) {
    case '|': case 0xbb: case 0x203a: case 0xab: case 0x2039: case 0x2022: case 0xb7:
    case '>': case '/': case '\\':
        return 1;
    default:
        return 0;
    }
}

static inline int
is_terminal(Py_UCS4 ch)
{
    switch (ch) {
    case '.': case '!': case '?': case 0x3002: case 0xff01: case 0xff1f: case 0x061f: case ':': case ';':
        return 1;
    default:
        return 0;
    }
}

static inline int
is_closer(Py_UCS4 ch)
{
    switch (ch) {
    case '"': case '\'': case 0x201d: case 0x2019: case 0xbb: case ')': case ']':
        return 1;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ lower-casing -- */

/* Growable UCS-4 buffer. */
typedef struct {
    Py_UCS4 *data;
    Py_ssize_t len, cap;
} Buf;

static int
buf_reserve(Buf *b, Py_ssize_t need)
{
    if (need <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    Py_UCS4 *data = resized(b->data, (size_t)cap, sizeof(Py_UCS4));
    if (!data)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

/* Lower-case text[start:end] into b (replacing its content), as str.lower does.
 * Per-character simple mappings equal str.lower except for U+0130 (which
 * lowers to two characters) and U+03A3 (final sigma); a word holding either is
 * lowered by Python itself. */
static int
lower_word(PyObject *text, int kind, const void *data, Py_ssize_t start, Py_ssize_t end, Buf *b)
{
    Py_ssize_t n = end - start;
    if (buf_reserve(b, n) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, start + i);
        if (ch < 128) {
            b->data[i] = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
        } else if (ch == 0x130 || ch == 0x3a3) {
            PyObject *word = PyUnicode_Substring(text, start, end);
            if (!word)
                return -1;
            PyObject *low = PyObject_CallMethod(word, "lower", NULL);
            Py_DECREF(word);
            if (!low)
                return -1;
            Py_ssize_t m = PyUnicode_GET_LENGTH(low);
            if (buf_reserve(b, m) < 0 || !PyUnicode_AsUCS4(low, b->data, m, 0)) {
                Py_DECREF(low);
                return -1;
            }
            Py_DECREF(low);
            b->len = m;
            return 0;
        } else {
            b->data[i] = Py_UNICODE_TOLOWER(ch);
        }
    }
    b->len = n;
    return 0;
}

/* ------------------------------------------------- page vocabulary tables -- */

/* Per page: distinct content words -> id, and per line the ids it holds. */
typedef struct { /* 16 bytes, so that a page's table stays in the CPU cache */
    uint64_t hash;
    uint32_t gen; /* the slot is in use for the page of this generation */
    int32_t id;
} VocabSlot;

typedef struct {
    VocabSlot *slots;
    size_t size, used;
    uint32_t gen; /* one per page: a new page empties the table without touching it */
    Buf pool;
    Py_ssize_t *start, *len; /* of word id in pool */
    Py_ssize_t *count;     /* prose lines holding word id */
    Py_ssize_t *last_line; /* last line that added word id (dedupe within a line) */
    Py_ssize_t n_ids, cap_ids;
    Py_ssize_t *line_ids; /* ids of all lines, line after line */
    Py_ssize_t n_line_ids, cap_line_ids;
} Vocab;

/* Resize *array to cap items (its content kept); -1 with MemoryError set on failure. */
static int
grow(Py_ssize_t **array, Py_ssize_t cap)
{
    Py_ssize_t *bigger = resized(*array, (size_t)cap, sizeof(Py_ssize_t));
    if (!bigger)
        return -1;
    *array = bigger;
    return 0;
}

static void
vocab_free(Vocab *v)
{
    PyMem_Free(v->slots);
    PyMem_Free(v->pool.data);
    PyMem_Free(v->count);
    PyMem_Free(v->last_line);
    PyMem_Free(v->start);
    PyMem_Free(v->len);
    PyMem_Free(v->line_ids);
    memset(v, 0, sizeof(*v));
}

static void
vocab_reset(Vocab *v)
{
    if (++v->gen == 0) { /* wrapped around: clear for real */
        if (v->slots)
            memset(v->slots, 0, v->size * sizeof(VocabSlot));
        v->gen = 1;
    }
    v->used = 0;
    v->pool.len = 0;
    v->n_ids = 0;
    v->n_line_ids = 0;
}

static int
vocab_grow_table(Vocab *v)
{
    size_t size = v->size ? v->size * 2 : 1024;
    VocabSlot *slots = PyMem_Calloc(size, sizeof(VocabSlot));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < v->size; i++) {
        VocabSlot *old = &v->slots[i];
        if (old->gen != v->gen)
            continue;
        size_t j = (size_t)old->hash & (size - 1);
        while (slots[j].gen == v->gen)
            j = (j + 1) & (size - 1);
        slots[j] = *old;
    }
    PyMem_Free(v->slots);
    v->slots = slots;
    v->size = size;
    return 0;
}

/* The id of word w (adding it if new), or -1 on error. */
static Py_ssize_t
vocab_id(Vocab *v, const Py_UCS4 *w, Py_ssize_t n, uint64_t h)
{
    if ((v->used + 1) * 2 > v->size && vocab_grow_table(v) < 0)
        return -1;
    size_t mask = v->size - 1;
    size_t i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        VocabSlot *slot = &v->slots[i];
        if (slot->gen != v->gen)
            break;
        if (slot->hash == h && v->len[slot->id] == n && same_ucs4(v->pool.data + v->start[slot->id], w, n))
            return slot->id;
    }
    if (v->n_ids >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "too many distinct words on one page");
        return -1;
    }
    if (buf_reserve(&v->pool, v->pool.len + n) < 0)
        return -1;
    memcpy(v->pool.data + v->pool.len, w, (size_t)n * sizeof(Py_UCS4));
    if (v->n_ids == v->cap_ids) {
        Py_ssize_t cap = v->cap_ids ? v->cap_ids * 2 : 1024;
        if (grow(&v->count, cap) < 0 || grow(&v->last_line, cap) < 0 || grow(&v->start, cap) < 0 ||
            grow(&v->len, cap) < 0)
            return -1;
        v->cap_ids = cap;
    }
    VocabSlot *slot = &v->slots[i];
    slot->hash = h;
    slot->gen = v->gen;
    slot->id = (int32_t)v->n_ids;
    v->start[v->n_ids] = v->pool.len;
    v->len[v->n_ids] = n;
    v->pool.len += n;
    v->used++;
    v->count[v->n_ids] = 0;
    v->last_line[v->n_ids] = -1;
    return v->n_ids++;
}

static int
vocab_push_line_id(Vocab *v, Py_ssize_t id)
{
    if (v->n_line_ids == v->cap_line_ids) {
        Py_ssize_t cap = v->cap_line_ids ? v->cap_line_ids * 2 : 4096;
        if (grow(&v->line_ids, cap) < 0)
            return -1;
        v->cap_line_ids = cap;
    }
    v->line_ids[v->n_line_ids++] = id;
    return 0;
}

/* ---------------------------------------------------------------- one line -- */

/* Ends with "..." or U+2026, then white space, within the last 10 characters of
 * text[0:n] (re: (?:\.\.\.|…)\s*$ on head[-10:]). */
static int
ends_ellipsis(int kind, const void *data, Py_ssize_t n)
{
    Py_ssize_t lo = n > 10 ? n - 10 : 0, i = n;
    while (i > lo && is_space(PyUnicode_READ(kind, data, i - 1)))
        i--;
    if (i > lo && PyUnicode_READ(kind, data, i - 1) == 0x2026)
        return 1;
    return i - lo >= 3 && PyUnicode_READ(kind, data, i - 1) == '.' && PyUnicode_READ(kind, data, i - 2) == '.' &&
           PyUnicode_READ(kind, data, i - 3) == '.';
}

/* Sentence punctuation, then closing quotes or brackets, then white space, within
 * the last 10 characters (re: [.!?。！？؟:;]["'”’»)\]]*\s*$ on text[-10:]). */
static int
ends_terminal(int kind, const void *data, Py_ssize_t n)
{
    Py_ssize_t lo = n > 10 ? n - 10 : 0, i = n;
    while (i > lo && is_space(PyUnicode_READ(kind, data, i - 1)))
        i--;
    while (i > lo && is_closer(PyUnicode_READ(kind, data, i - 1)))
        i--;
    return i > lo && is_terminal(PyUnicode_READ(kind, data, i - 1));
}

/* Characters of text[0:n] from i on that are decimal digits. */
static Py_ssize_t
run_len(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t k = i;
    while (k < n && is_decimal(PyUnicode_READ(kind, data, k)))
        k++;
    return k - i;
}

static inline Py_UCS4
char_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t i)
{
    return i < n ? PyUnicode_READ(kind, data, i) : 0;
}

static inline int
boundary_after(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) /* re's \b after a word character */
{
    return i >= n || !is_word(PyUnicode_READ(kind, data, i));
}

static inline int
is_date_sep(Py_UCS4 c)
{
    return c == '-' || c == '/' || c == '.';
}

/* Does text[i] match ASCII letter t under re.IGNORECASE? */
static inline int
same_letter(Py_UCS4 c, Py_UCS4 t)
{
    if (c < 128)
        return (c | 32) == t;
    return (t == 'i' && (c == 0x130 || c == 0x131)) || (t == 's' && c == 0x17f) || (t == 'k' && c == 0x212a);
}

/* Is the run of word characters at text[p] one of `words` (lower-case ASCII,
 * NULL-terminated), compared as re.IGNORECASE does? */
static int
word_run_is_one_of(int kind, const void *data, Py_ssize_t n, Py_ssize_t p, const char *const *words)
{
    Py_ssize_t e = p;
    while (e < n && e - p <= 8 && is_word(PyUnicode_READ(kind, data, e)))
        e++;
    for (; *words; words++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*words), k = 0;
        if (e - p != len)
            continue;
        while (k < len && same_letter(PyUnicode_READ(kind, data, p + k), (Py_UCS4)(*words)[k]))
            k++;
        if (k == len)
            return 1;
    }
    return 0;
}

/* NUMERIC_DATE.match(text, q), q the start of a run of digits after a non-word
 * character: \d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b | \d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b. */
static int
numeric_date_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t q)
{
    Py_ssize_t r1 = run_len(kind, data, n, q);
    if (!is_date_sep(char_at(kind, data, n, q + r1)))
        return 0;
    Py_ssize_t r2 = run_len(kind, data, n, q + r1 + 1);
    if (r2 < 1 || r2 > 2 || !is_date_sep(char_at(kind, data, n, q + r1 + 1 + r2)))
        return 0;
    Py_ssize_t at = q + r1 + r2 + 2, r3 = run_len(kind, data, n, at);
    if (!boundary_after(kind, data, n, at + r3))
        return 0;
    return (r1 == 4 && r3 >= 1 && r3 <= 2) || (r1 >= 1 && r1 <= 2 && r3 >= 2 && r3 <= 4);
}

/* CLOCK_TIME.match(text, q) (IGNORECASE), q as above:
 * [0-2]?\d:[0-5]\d\b | [0-2]?\d\.[0-5]\d\s?(?:wib|wita|wit|uhr|h)\b | \d{1,2}\s?[ap]\.?m\b */
static int
clock_time_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t q)
{
    Py_ssize_t r1 = run_len(kind, data, n, q);
    Py_UCS4 first = PyUnicode_READ(kind, data, q);
    if (r1 == 1 || (r1 == 2 && first >= '0' && first <= '2')) {
        Py_UCS4 sep = char_at(kind, data, n, q + r1), m1 = char_at(kind, data, n, q + r1 + 1);
        Py_ssize_t after = q + r1 + 3;
        if ((sep == ':' || sep == '.') && m1 >= '0' && m1 <= '5' && is_decimal(char_at(kind, data, n, q + r1 + 2))) {
            if (sep == ':' && boundary_after(kind, data, n, after))
                return 1;
            if (sep == '.') {
                static const char *units[] = {"wib", "wita", "wit", "uhr", "h", NULL};
                Py_ssize_t w = is_space(char_at(kind, data, n, after)) ? after + 1 : after;
                if (word_run_is_one_of(kind, data, n, w, units))
                    return 1;
            }
        }
    }
    if (r1 >= 1 && r1 <= 2) {
        Py_ssize_t p = q + r1;
        if (is_space(char_at(kind, data, n, p)))
            p++;
        Py_UCS4 c = char_at(kind, data, n, p);
        if (c == 'a' || c == 'A' || c == 'p' || c == 'P') {
            p++;
            if (char_at(kind, data, n, p) == '.')
                p++;
            c = char_at(kind, data, n, p);
            if ((c == 'm' || c == 'M') && boundary_after(kind, data, n, p + 1))
                return 1;
        }
    }
    return 0;
}


/* Does phrase k of list `t` match at text[p], a word boundary after it (no folded
 * letters on the line)? */
static int
phrase_k_at(int t, Py_ssize_t k, int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    Py_ssize_t len = phrase_len[t][k];
    if (p + len > n)
        return 0;
    const Py_UCS4 *w = phrase_text[t][k];
    for (Py_ssize_t j = 0; j < len; j++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p + j);
        Py_UCS4 low = c < 128 ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : Py_UNICODE_TOLOWER(c);
        if (w[j] == ' ' ? c != ' ' : low != w[j])
            return 0;
    }
    return boundary_after(kind, data, n, p + len);
}

/* Length of the match of phrase list `t` at text[p] (a word start after a
 * non-word character, no folded letters on the line), or 0. */
static Py_ssize_t
phrase_at(int t, int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    for (Py_ssize_t k = 0; k < phrase_count[t]; k++)
        if (phrase_k_at(t, k, kind, data, n, p))
            return phrase_len[t][k];
    return 0;
}

/* MONTH_DATE.match at text[p] or just before, p the start of a month word
 * (IGNORECASE): \d{1,2}\.?\s(?:months)\b | (?:months)\.?\s\d{1,4}\b. */
static int
month_date_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p, int starts_word)
{
    Py_ssize_t e = p;
    while (e < n && is_letter(PyUnicode_READ(kind, data, e)))
        e++;
    if (starts_word) { /* "May 2024", "Dez. 3" */
        Py_ssize_t x = char_at(kind, data, n, e) == '.' ? e + 1 : e;
        if (is_space(char_at(kind, data, n, x))) {
            Py_ssize_t r = run_len(kind, data, n, x + 1);
            if (r >= 1 && r <= 4 && boundary_after(kind, data, n, x + 1 + r))
                return 1;
        }
    }
    /* "3 May", "3. Mai" */
    if (!boundary_after(kind, data, n, e) || p < 2 || !is_space(PyUnicode_READ(kind, data, p - 1)))
        return 0;
    Py_ssize_t z = p - 2;
    if (PyUnicode_READ(kind, data, z) == '.')
        z--;
    Py_ssize_t q = z;
    while (q >= 0 && z - q < 3 && is_decimal(PyUnicode_READ(kind, data, q)))
        q--;
    Py_ssize_t r = z - q; /* digits ending at z (3 means "more than 2") */
    return r >= 1 && r <= 2 && (q < 0 || !is_word(PyUnicode_READ(kind, data, q)));
}

/* The ".com" alternative of URL, the dot just before text[p] (after a word
 * character): (?:com|net|...)\b (patterns.URL's list), IGNORECASE. The \b makes the
 * run of word characters after the dot the whole top-level domain. */
static int
tld_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    static const char *tlds[] = {"com", "net", "org", "info", "biz", "gov", "edu", "tv", "eu", "id", "co", "io",
                                 "de",  "fr",  "uk",  "ru",   "ua",  "kz",  "pl",  "cz", "sk", "hu", "ro", "gr",
                                 "cn",  "jp",  "kr",  "tw",   "hk",  "au",  "nl",  "ch", "se", "fi", "dk", "br",
                                 NULL};
    return word_run_is_one_of(kind, data, n, p, tlds);
}

/* The other URL alternatives at a word start: https?://\S and www\.\S, the word
 * ("http", "https" or "www", any case) at text[p]. */
static int
url_start_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    Py_ssize_t e = p;
    while (e < n && is_letter(PyUnicode_READ(kind, data, e)))
        e++;
    Py_UCS4 c = char_at(kind, data, n, e);
    if (e - p == 3) /* www */
        return c == '.' && e + 1 < n && !is_space(PyUnicode_READ(kind, data, e + 1));
    return c == ':' && char_at(kind, data, n, e + 1) == '/' && char_at(kind, data, n, e + 2) == '/' && e + 3 < n &&
           !is_space(PyUnicode_READ(kind, data, e + 3));
}

/* The "(c) 2024" alternative of COPYRIGHT, its "c" at text[p]: \(c\)\s?\d{4}. */
static int
copyright_c_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    Py_UCS4 c = char_at(kind, data, n, p);
    if (p < 1 || PyUnicode_READ(kind, data, p - 1) != '(' || (c != 'c' && c != 'C') ||
        char_at(kind, data, n, p + 1) != ')')
        return 0;
    Py_ssize_t x = is_space(char_at(kind, data, n, p + 2)) ? p + 3 : p + 2;
    return run_len(kind, data, n, x) >= 4;
}

/* End of the run of letters at text[p]. */
static inline Py_ssize_t
letters_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    while (p < n && is_letter(PyUnicode_READ(kind, data, p)))
        p++;
    return p;
}

/* Is text[p:e] the lower-case ASCII word w (text without folded letters)? */
static int
run_is(int kind, const void *data, Py_ssize_t p, Py_ssize_t e, const char *w)
{
    Py_ssize_t len = (Py_ssize_t)strlen(w);
    if (e - p != len)
        return 0;
    for (Py_ssize_t k = 0; k < len; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p + k);
        if (c >= 128 || (Py_UCS4)((c >= 'A' && c <= 'Z') ? c + 32 : c) != (Py_UCS4)w[k])
            return 0;
    }
    return 1;
}

/* Is the run of letters after text[e] (one space, then the run) the word w, with a
 * word boundary after it? */
static int
then_word(int kind, const void *data, Py_ssize_t n, Py_ssize_t e, const char *w)
{
    if (char_at(kind, data, n, e) != ' ')
        return 0;
    Py_ssize_t end = letters_end(kind, data, n, e + 1);
    return run_is(kind, data, e + 1, end, w) && boundary_after(kind, data, n, end);
}

/* CAPTION.match(text, p - 1) or CAPTION.match(text, p) (IGNORECASE), p the start of
 * a word after a non-word character, on a line without folded letters: (foto|photo|
 * ...|video)\s?[:/|], getty images\b, shutterstock\b, ap photo\b, reuters/, afp/,
 * photo by\b, file photo\b, each after \b; or \(photo\b. */
static int
caption_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    static const char *cue_words[] = {"foto", "photo", "photos", "image", "images", "bild", "gambar", "ilustrasi",
                                      "illustration", "credit", "credits", "kredit", "pic", "picture", "video", NULL};
    Py_ssize_t e = letters_end(kind, data, n, p);
    for (const char *const *w = cue_words; *w; w++) {
        if (run_is(kind, data, p, e, *w)) {
            Py_UCS4 c = char_at(kind, data, n, e);
            if (is_space(c) && e < n)
                c = char_at(kind, data, n, e + 1);
            if (c == ':' || c == '/' || c == '|')
                return 1;
            break;
        }
    }
    if (run_is(kind, data, p, e, "photo") &&
        ((p > 0 && PyUnicode_READ(kind, data, p - 1) == '(' && boundary_after(kind, data, n, e)) ||
         then_word(kind, data, n, e, "by")))
        return 1;
    if (run_is(kind, data, p, e, "reuters") || run_is(kind, data, p, e, "afp"))
        return char_at(kind, data, n, e) == '/';
    if (run_is(kind, data, p, e, "shutterstock"))
        return boundary_after(kind, data, n, e);
    return (run_is(kind, data, p, e, "getty") && then_word(kind, data, n, e, "images")) ||
           (run_is(kind, data, p, e, "ap") && then_word(kind, data, n, e, "photo")) ||
           (run_is(kind, data, p, e, "file") && then_word(kind, data, n, e, "photo"));
}

/* BYLINE.match(text) (IGNORECASE) on a line whose first word starts it and holds no
 * folded letter: one of the phrases of list P_BYLINE at 0, then \b\s?:?\s?\S. */
static int
byline_at(int kind, const void *data, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < phrase_count[P_BYLINE]; k++) {
        if (!phrase_k_at(P_BYLINE, k, kind, data, n, 0))
            continue;
        Py_ssize_t len = phrase_len[P_BYLINE][k];
        /* \s?:?\s?\S after the phrase, each optional part taken or not. */
        for (int s1 = 0; s1 <= 1; s1++) {
            if (s1 && !is_space(char_at(kind, data, n, len)))
                break;
            Py_ssize_t p1 = len + s1;
            for (int c1 = 0; c1 <= 1; c1++) {
                if (c1 && char_at(kind, data, n, p1) != ':')
                    break;
                Py_ssize_t p2 = p1 + c1;
                for (int s2 = 0; s2 <= 1; s2++) {
                    if (s2 && !is_space(char_at(kind, data, n, p2)))
                        break;
                    Py_ssize_t p3 = p2 + s2;
                    if (p3 < n && !is_space(PyUnicode_READ(kind, data, p3)))
                        return 1;
                }
            }
        }
    }
    return 0;
}

/* Does EMAIL, (?<=[\w.+-])@[\w-]+\.\w, match at text[p], an "@"? ([\w-]+ cannot
 * take the ".", so its longest run is the only one to try.) */
static int
email_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t p)
{
    if (p == 0)
        return 0;
    Py_UCS4 before = PyUnicode_READ(kind, data, p - 1);
    if (!is_word(before) && before != '.' && before != '+' && before != '-')
        return 0;
    Py_ssize_t e = p + 1;
    while (e < n && (is_word(PyUnicode_READ(kind, data, e)) || PyUnicode_READ(kind, data, e) == '-'))
        e++;
    return e > p + 1 && char_at(kind, data, n, e) == '.' && e + 1 < n && is_word(PyUnicode_READ(kind, data, e + 1));
}

/* re: ^(?:[-*•·–—▪►]\s|\d{1,3}[.)]\s|[a-z][.)]\s) with IGNORECASE, on text[0:n]. */
static int
list_marker(int kind, const void *data, Py_ssize_t n)
{
    if (n < 2)
        return 0;
    Py_UCS4 c0 = PyUnicode_READ(kind, data, 0), c1 = PyUnicode_READ(kind, data, 1);
    switch (c0) {
    case '-': case '*': case 0x2022: case 0xb7: case 0x2013: case 0x2014: case 0x25aa: case 0x25ba:
        return is_space(c1);
    }
    Py_ssize_t r = 0;
    while (r < n && r < 4 && is_decimal(PyUnicode_READ(kind, data, r)))
        r++;
    if (r >= 1 && r <= 3) {
        Py_UCS4 c = r < n ? PyUnicode_READ(kind, data, r) : 0;
        return (c == '.' || c == ')') && r + 1 < n && is_space(PyUnicode_READ(kind, data, r + 1));
    }
    /* [a-z] under IGNORECASE: ASCII letters and the four letters that fold to one. */
    int letter = (c0 < 128 && ((c0 | 32) >= 'a' && (c0 | 32) <= 'z')) || c0 == 0x130 || c0 == 0x131 ||
                 c0 == 0x17f || c0 == 0x212a;
    return letter && (c1 == '.' || c1 == ')') && n > 2 && is_space(PyUnicode_READ(kind, data, 2));
}

/* re: ^[\w' -]{1,25}:\s on text[0:n]: ':' is not in the class, so it must be
 * the first character outside it. */
static int
label_prefix(int kind, const void *data, Py_ssize_t n)
{
    Py_ssize_t p = 0;
    while (p < n && p <= 25) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        if (!(is_word(c) || c == '\'' || c == ' ' || c == '-'))
            break;
        p++;
    }
    return p >= 1 && p <= 25 && p + 1 < n && PyUnicode_READ(kind, data, p) == ':' &&
           is_space(PyUnicode_READ(kind, data, p + 1));
}

/* A hint to load memory that will be read soon (a no-op where the compiler has none). */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* ------------------------------------------------------------- lexicon -- */

/* A model's word weights (BoilerplateClassifier's lexicon): lower-cased words ->
 * weight, in an open-addressing table owned by a capsule. A slot is 16 bytes and
 * holds all a lookup reads, so that a lookup touches one cache line: words are
 * matched by their 64-bit hash and their length (two words alike in both would
 * share a weight; make_lexicon refuses a lexicon holding two such words). */
typedef struct {
    uint64_t hash; /* 0: empty slot (a word hashing to 0 is stored as 1) */
    uint32_t len;
    float weight; /* model files store float32 weights */
} LexSlot;

typedef struct Lexicon {
    LexSlot *slots;
    size_t size; /* a power of two */
} Lexicon;

#define LEXICON_CAPSULE "bpclass._speedups.Lexicon"

static void
lexicon_release(Lexicon *lex)
{
    if (lex) {
        PyMem_Free(lex->slots);
        PyMem_Free(lex);
    }
}

static void
lexicon_free(PyObject *capsule)
{
    lexicon_release(PyCapsule_GetPointer(capsule, LEXICON_CAPSULE));
}

/* A word's hash as its slot holds it (0 marks an empty slot). */
static inline uint64_t
lexicon_hash(uint64_t h)
{
    return h ? h : 1;
}

static inline int
lexicon_find(const Lexicon *lex, Py_ssize_t n, uint64_t h, double *weight)
{
    h = lexicon_hash(h);
    for (size_t j = (size_t)h & (lex->size - 1);; j = (j + 1) & (lex->size - 1)) {
        const LexSlot *slot = lex->slots + j;
        if (!slot->hash)
            return 0;
        if (slot->hash == h && slot->len == (uint32_t)n) {
            *weight = (double)slot->weight;
            return 1;
        }
    }
}

/* make_lexicon(words, weights) -> capsule: words a list of distinct, non-empty,
 * lower-cased str; weights a float64 buffer of as many finite numbers, each one a
 * float32 (as model files store them). */
static PyObject *
make_lexicon(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *words, *weights_obj;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &words, &weights_obj))
        return NULL;
    Py_buffer weights = {0};
    if (PyObject_GetBuffer(weights_obj, &weights, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (strcmp(weights.format, "d") != 0 || weights.itemsize != 8 || weights.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "weights: expected one float64 per word");
        PyBuffer_Release(&weights);
        return NULL;
    }
    const double *w = weights.buf;
    Lexicon *lex = PyMem_Calloc(1, sizeof(Lexicon));
    Buf word_buf = {0};
    if (!lex) {
        PyBuffer_Release(&weights);
        return PyErr_NoMemory();
    }
    lex->size = 16;
    while (lex->size < 2 * (size_t)n + 1)
        lex->size <<= 1;
    lex->slots = PyMem_Calloc(lex->size, sizeof(LexSlot));
    if (!lex->slots) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (ready_str(word, "words must be str") < 0)
            goto fail;
        Py_ssize_t len = PyUnicode_GET_LENGTH(word);
        if (len == 0 || len > (Py_ssize_t)UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "words must be non-empty str");
            goto fail;
        }
        if (!isfinite(w[i]) || (double)(float)w[i] != w[i]) {
            PyErr_SetString(PyExc_ValueError, "weights must be finite float32 numbers");
            goto fail;
        }
        if (buf_reserve(&word_buf, len) < 0 || !PyUnicode_AsUCS4(word, word_buf.data, len, 0))
            goto fail;
        uint64_t h = lexicon_hash(hash_ucs4(word_buf.data, len));
        size_t j = (size_t)h & (lex->size - 1);
        while (lex->slots[j].hash) {
            if (lex->slots[j].hash == h && lex->slots[j].len == (uint32_t)len) {
                PyErr_SetString(PyExc_ValueError, "words must be distinct (and differ in their hash or length)");
                goto fail;
            }
            j = (j + 1) & (lex->size - 1);
        }
        lex->slots[j] = (LexSlot){h, (uint32_t)len, (float)w[i]};
    }
    PyMem_Free(word_buf.data);
    PyBuffer_Release(&weights);
    PyObject *capsule = PyCapsule_New(lex, LEXICON_CAPSULE, lexicon_free);
    if (!capsule)
        lexicon_release(lex);
    return capsule;
fail:
    PyMem_Free(word_buf.data);
    lexicon_release(lex);
    PyBuffer_Release(&weights);
    return NULL;
}

typedef struct {
    Py_ssize_t pos;
    int what; /* W_* bits of a word, or E_* flags */
} Entry;

#define LEX_PENDING 32

typedef struct {
    Buf low;
    Vocab vocab;
    Entry *entries; /* of the current line */
    Py_ssize_t n_entries, cap_entries;
    PyObject *cands; /* list of (line, kind, position) */
    const struct Lexicon *lex; /* the model's word weights, or NULL */
    double lex_value;          /* of the line just scanned: sum of its words' weights / sqrt(words) */
    Py_ssize_t lex_known, lex_words; /* ... its words in the lexicon, and all its words */
    /* Words of the line not yet looked up in the lexicon: their slots are prefetched
     * as the words are read and looked up together (in order) at the line's end. */
    uint64_t pend_hash[LEX_PENDING];
    Py_ssize_t pend_len[LEX_PENDING];
    int n_pend;
} Scratch;

/* Look up the pending words, in order: their weights added to *sum, the known counted. */
static void
lexicon_flush(Scratch *s, double *sum, Py_ssize_t *known)
{
    for (int k = 0; k < s->n_pend; k++) {
        double w;
        if (lexicon_find(s->lex, s->pend_len[k], s->pend_hash[k], &w)) {
            *sum += w;
            (*known)++;
        }
    }
    s->n_pend = 0;
}

static int
add_entry(Scratch *s, Py_ssize_t pos, int what)
{
    if (s->n_entries == s->cap_entries) {
        Py_ssize_t cap = s->cap_entries ? s->cap_entries * 2 : 64;
        Entry *e = resized(s->entries, (size_t)cap, sizeof(Entry));
        if (!e)
            return -1;
        s->entries = e;
        s->cap_entries = cap;
    }
    s->entries[s->n_entries].pos = pos;
    s->entries[s->n_entries].what = what;
    s->n_entries++;
    return 0;
}

/* Candidates go to a flat list, line, kind, position, line, ...: plain ints are
 * not tracked by the garbage collector, tuples would be. */
static int
append_int(PyObject *list, Py_ssize_t value)
{
    PyObject *v = PyLong_FromSsize_t(value);
    if (!v)
        return -1;
    int rc = PyList_Append(list, v);
    Py_DECREF(v);
    return rc;
}

static int
emit(Scratch *s, Py_ssize_t line, int kind, Py_ssize_t pos)
{
    if (append_int(s->cands, line) < 0 || append_int(s->cands, kind) < 0 || append_int(s->cands, pos) < 0)
        return -1;
    return 0;
}

static inline int
is_ampm(Py_UCS4 ch)
{
    return ch == 'a' || ch == 'A' || ch == 'p' || ch == 'P';
}

/* Features of one stripped line; its content words go to the page vocabulary,
 * the positions where a pattern may match go to s->cands. */
static ALWAYS_INLINE int
scan_line_kind(PyObject *text, Py_ssize_t line, double *row, int32_t *need, Scratch *s, int *is_prose,
               const int kind)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n_chars = PyUnicode_GET_LENGTH(text);
    Py_ssize_t head = n_chars < MAX_PATTERN_CHARS ? n_chars : MAX_PATTERN_CHARS;
    Py_ssize_t n_words = 0, letters = 0, upper = 0, capitalised = 0, n_digits = 0, n_cjk = 0, n_punct = 0;
    Py_ssize_t n_sep = 0, stop_hits = 0, cjk_stop_hits = 0;
    int starts_lower = 0, token_bits = 0, needs = 0, has_fold = 0, copy_sign = 0, email = 0;
    int byline_start = 0, byline = 0;
    Py_ssize_t run_start = 0;
    double lex_sum = 0.0;
    Py_ssize_t lex_known = 0;
    s->n_entries = 0;
    s->n_pend = 0;

    for (Py_ssize_t i = 0; i < head;) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_letter(ch)) {
            /* A run of letters is one word. */
            Py_ssize_t start = i;
            if (n_words == 0)
                starts_lower = ch < 128 ? (ch >= 'a' && ch <= 'z') : Py_UNICODE_ISLOWER(ch);
            capitalised += (ch < 128 ? (ch >= 'A' && ch <= 'Z') : Py_UNICODE_ISUPPER(ch)) ? 1 : 0;
            int fold = 0;
            while (i < head) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                if (!is_letter(c))
                    break;
                if (c >= 128) {
                    if (is_cjk(c)) {
                        n_cjk++;
                        if (c < CJK_HI && (cjk_stop[(c - CJK_LO) >> 3] >> ((c - CJK_LO) & 7) & 1))
                            cjk_stop_hits++;
                    } else if (is_fold(c)) {
                        fold = 1;
                    }
                }
                if (c < 'a' || c > 'z')
                    upper++;
                i++;
            }
            letters += i - start;
            if (lower_word(text, kind, data, start, i, &s->low) < 0)
                return -1;
            uint64_t h = hash_ucs4(s->low.data, s->low.len);
            if (s->lex) {
                PREFETCH(s->lex->slots + (lexicon_hash(h) & (s->lex->size - 1)));
                s->pend_hash[s->n_pend] = h;
                s->pend_len[s->n_pend] = s->low.len;
                if (++s->n_pend == LEX_PENDING)
                    lexicon_flush(s, &lex_sum, &lex_known);
            }
            int bits = word_lookup(s->low.data, s->low.len, h);
            if (bits & W_STOP)
                stop_hits++;
            /* Only a folded letter can make a word of other letters match BYLINE's ASCII. */
            if (n_words == 0 && start == 0 && (fold || (bits & W_BYLINE)))
                byline_start = 1;
            token_bits |= bits;
            has_fold |= fold;
            if ((bits & W_ANCHORS) || fold) {
                if (add_entry(s, start, (bits & W_ANCHORS) | (fold ? E_FOLD : 0)) < 0)
                    return -1;
            }
            n_words++;
            if (s->low.len >= 3 && !(bits & W_STOP)) {
                Py_ssize_t id = vocab_id(&s->vocab, s->low.data, s->low.len, h);
                if (id < 0)
                    return -1;
                if (s->vocab.last_line[id] != line) {
                    s->vocab.last_line[id] = line;
                    if (vocab_push_line_id(&s->vocab, id) < 0)
                        return -1;
                }
            }
            continue;
        }
        /* Not a letter: a digit, "_", white space, punctuation, or a mark or
         * unassigned point (some of them inside the CJK ranges). */
        if (ch >= 128 && is_cjk(ch))
            n_cjk++; /* CJK function characters are all letters: counted above */
        int cls = char_class(ch);
        if (cls & C_DECIMAL) {
            n_digits++;
            if (i == 0 || !is_decimal(PyUnicode_READ(kind, data, i - 1)))
                run_start = i;
            if (i + 1 < head) {
                /* A date or a clock time: digit [-/.:] digit, or digit, space?, a/p;
                 * its match starts where this run of digits starts. */
                Py_UCS4 c1 = PyUnicode_READ(kind, data, i + 1);
                Py_UCS4 c2 = i + 2 < head ? PyUnicode_READ(kind, data, i + 2) : 0;
                if (((c1 == '-' || c1 == '/' || c1 == '.' || c1 == ':') && is_decimal(c2)) || is_ampm(c1) ||
                    (is_space(c1) && is_ampm(c2))) {
                    if (add_entry(s, run_start, E_NUMERIC) < 0)
                        return -1;
                }
            }
        } else if (!(cls & (C_WORD | C_SPACE))) {
            n_punct++;
            if (is_separator(ch))
                n_sep++;
            if (ch == '@') {
                if (!email)
                    email = email_at(kind, data, head, i);
            } else if (ch == 0xa9) {
                copy_sign = 1;
                if (add_entry(s, i, E_COPY_SIGN) < 0)
                    return -1;
            } else if (ch == '.' && i > 0 && i + 1 < head && is_word(PyUnicode_READ(kind, data, i - 1))) {
                /* May start ".com" and the like (re.I: also folded letters). */
                Py_UCS4 c = PyUnicode_READ(kind, data, i + 1);
                if (c >= 128 || strchr("abcdefghijknoprstuABCDEFGHIJKNOPRSTU", (int)c) != NULL) {
                    if (c != 0 && add_entry(s, i, E_URL_DOT) < 0)
                        return -1;
                }
            }
        }
        i++;
    }

    /* BYLINE: Python's when a folded letter is on the line, else here. */
    if (byline_start) {
        if (has_fold)
            needs |= N_BYLINE;
        else
            byline = byline_at(kind, data, head);
    }

    /* Every way RELATIVE_TIME can match either starts at a word of
     * RELATIVE_START(_DIGIT) (a candidate) or ends with a word of
     * RELATIVE_END(_DIGIT): such lines, and lines with a folded letter, are
     * searched whole. */
    if ((token_bits & W_RELATIVE_END) || (n_digits && (token_bits & W_RELATIVE_END_DIGIT)) ||
        (has_fold && (n_digits || (token_bits & W_RELATIVE))))
        needs |= N_RELATIVE;

    int numeric_date = 0, clock_time = 0, n_boiler = 0, month_date = 0, copyright = 0, url = 0, weekday = 0,
        caption = 0;
    Py_ssize_t boiler_end = 0;
    /* Candidates, in line order; a folded word is a candidate wherever the
     * reference gate (a word of the list on the line) lets the pattern run. */
    for (Py_ssize_t e = 0; e < s->n_entries; e++) {
        Py_ssize_t pos = s->entries[e].pos;
        int what = s->entries[e].what;
        int fold = (what & E_FOLD) != 0;
        if (what & E_COPY_SIGN) {
            copyright = 1; /* "©" is an alternative of COPYRIGHT by itself */
            continue;
        }
        if (what & E_URL_DOT) {
            if (!url && tld_at(kind, data, head, pos + 1))
                url = 1;
            continue;
        }
        if (what & E_NUMERIC) {
            if (pos == 0 || !is_word(PyUnicode_READ(kind, data, pos - 1))) { /* \b before the digits */
                if (!numeric_date && numeric_date_at(kind, data, head, pos))
                    numeric_date = 1;
                if (!clock_time && clock_time_at(kind, data, head, pos))
                    clock_time = 1;
            }
            continue;
        }
        if (((what & W_RELATIVE_START) || (n_digits && (what & W_RELATIVE_START_DIGIT))) &&
            !(needs & N_RELATIVE) && emit(s, line, K_RELATIVE, pos) < 0)
            return -1;
        int starts_word = pos == 0 || !is_word(PyUnicode_READ(kind, data, pos - 1)); /* \b before it */
        if (n_digits && ((what & W_MONTH) || (fold && (token_bits & W_MONTH)))) {
            if (has_fold) {
                if (emit(s, line, K_MONTH, pos) < 0)
                    return -1;
            } else if (!month_date && month_date_at(kind, data, head, pos, starts_word)) {
                month_date = 1;
            }
        }
        if ((what & W_WEEKDAY) || (fold && (token_bits & W_WEEKDAY))) {
            if (has_fold || !(what & W_WEEKDAY_WHOLE)) {
                /* Folded letters, or the start of a longer name: Python runs the pattern. */
                if (!weekday && emit(s, line, K_WEEKDAY, pos) < 0)
                    return -1;
            } else if (!weekday && starts_word && boundary_after(kind, data, head, letters_end(kind, data, head, pos))) {
                weekday = 1;
            }
        }
        if ((what & W_BOILER) || (fold && (token_bits & W_BOILER))) {
            if (has_fold) {
                /* A folded letter: Python runs the pattern at each word. */
                if (emit(s, line, K_BOILER, pos) < 0)
                    return -1;
            } else if (pos >= boiler_end && n_boiler < MAX_BOILER &&
                       (pos == 0 || !is_word(PyUnicode_READ(kind, data, pos - 1)))) {
                Py_ssize_t len = phrase_at(P_BOILER, kind, data, head, pos);
                if (len) {
                    n_boiler++;
                    boiler_end = pos + len;
                }
            }
        }
        if ((what & W_COPYRIGHT) || (fold && ((token_bits & W_COPYRIGHT) || copy_sign))) {
            if (has_fold) {
                if (emit(s, line, K_COPYRIGHT, pos) < 0)
                    return -1;
            } else if (!copyright && (copyright_c_at(kind, data, head, pos) ||
                                      (starts_word && phrase_at(P_COPYRIGHT, kind, data, head, pos)))) {
                copyright = 1;
            }
        }
        if ((what & W_CAPTION) || (fold && (token_bits & W_CAPTION))) {
            if (has_fold) {
                if (emit(s, line, K_CAPTION, pos) < 0)
                    return -1;
            } else if (!caption && starts_word && caption_at(kind, data, head, pos)) {
                caption = 1;
            }
        }
        if (fold) {
            if (emit(s, line, K_URL, pos) < 0)
                return -1;
        } else if ((what & W_URL) && !url && starts_word && url_start_at(kind, data, head, pos)) {
            url = 1;
        }
    }

    if (s->n_pend)
        lexicon_flush(s, &lex_sum, &lex_known);
    s->lex_value = n_words ? lex_sum / sqrt((double)n_words) : 0.0;
    s->lex_known = lex_known;
    s->lex_words = n_words;
    /* A CJK run is one "word" to the regex; count its characters as words instead. */
    Py_ssize_t word_count = n_words;
    if (n_cjk && n_cjk > n_words)
        word_count = n_cjk;
    Py_ssize_t head_word_count = word_count;
    if (n_chars > head)
        word_count = (Py_ssize_t)((double)word_count * (double)n_chars / (double)head);
    double head_len = head > 0 ? (double)head : 1.0;
    double stop_share = 0.0;
    if (head_word_count) {
        stop_share = (double)(stop_hits + (n_cjk ? cjk_stop_hits : 0)) / (double)head_word_count;
        if (stop_share > 1.0)
            stop_share = 1.0;
    }
    row[0] = log1p((double)n_chars);
    row[1] = log1p((double)word_count);
    row[2] = n_words ? (double)letters / (double)n_words : 0.0;
    row[3] = ends_ellipsis(kind, data, head) ? 1.0 : 0.0;
    row[4] = ends_terminal(kind, data, n_chars) ? 1.0 : 0.0;
    row[5] = n_words ? (double)capitalised / (double)n_words : 0.0;
    row[6] = letters ? (double)upper / (double)letters : 0.0;
    row[7] = (double)n_digits / head_len;
    row[8] = (double)n_punct / head_len;
    row[9] = (double)n_cjk / head_len;
    row[10] = stop_share;
    for (int k = 11; k < N_LINE_FEATURES; k++)
        row[k] = 0.0;
    row[11] = numeric_date || month_date ? 1.0 : 0.0;
    row[12] = weekday ? 1.0 : 0.0;
    row[13] = clock_time ? 1.0 : 0.0;
    row[15] = (double)(n_sep < MAX_SEPARATORS ? n_sep : MAX_SEPARATORS);
    row[16] = url ? 1.0 : 0.0;
    row[17] = email ? 1.0 : 0.0;
    row[18] = copyright ? 1.0 : 0.0;
    row[19] = caption ? 1.0 : 0.0;
    row[20] = byline ? 1.0 : 0.0;
    row[21] = (double)n_boiler;
    row[22] = list_marker(kind, data, head) ? 1.0 : 0.0;
    row[23] = label_prefix(kind, data, head) ? 1.0 : 0.0;
    row[24] = starts_lower ? 1.0 : 0.0;
    if (token_bits & W_COMMENT)
        needs |= N_COMMENT;
    *need = needs;
    *is_prose = row[1] >= log1p((double)PROSE_MIN_WORDS) && row[4] > 0;
    return 0;
}

/* scan_line_kind compiled once per string width, so that reading a character
 * needs no test of the width. */
static int
scan_line(PyObject *text, Py_ssize_t line, double *row, int32_t *need, Scratch *s, int *is_prose)
{
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return scan_line_kind(text, line, row, need, s, is_prose, PyUnicode_1BYTE_KIND);
    case PyUnicode_2BYTE_KIND:
        return scan_line_kind(text, line, row, need, s, is_prose, PyUnicode_2BYTE_KIND);
    default:
        return scan_line_kind(text, line, row, need, s, is_prose, PyUnicode_4BYTE_KIND);
    }
}

/* ------------------------------------------------------------- buffers -- */

/* A C-contiguous buffer of `obj` with items of `format` ("l" also takes "q": both
 * are int64 on some platform), writable if asked. */
static int
get_view(PyObject *obj, Py_buffer *view, const char *format, Py_ssize_t itemsize, int writable, const char *name)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    int same = strcmp(view->format, format) == 0 || (strcmp(format, "l") == 0 && strcmp(view->format, "q") == 0);
    if (view->itemsize != itemsize || !same) {
        PyErr_Format(PyExc_ValueError, "%s: expected items of format '%s'", name, format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* A writable output buffer of exactly n items. */
static int
get_output(PyObject *obj, Py_buffer *view, const char *format, Py_ssize_t itemsize, Py_ssize_t n, const char *name)
{
    if (get_view(obj, view, format, itemsize, 1, name) < 0)
        return -1;
    if (view->len != n * itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items of format '%s'", name, n, format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Page bounds: first row of each page, then the number of rows `n`; never decreasing. */
static int
check_bounds(const int64_t *bounds, Py_ssize_t n_bounds, Py_ssize_t n, const char *name)
{
    if (n_bounds < 1 || bounds[0] != 0 || bounds[n_bounds - 1] != n) {
        PyErr_Format(PyExc_ValueError, "%s must run from 0 to the number of rows", name);
        return -1;
    }
    for (Py_ssize_t p = 1; p < n_bounds; p++) {
        if (bounds[p] < bounds[p - 1]) {
            PyErr_Format(PyExc_ValueError, "%s must not decrease", name);
            return -1;
        }
    }
    return 0;
}

static PyObject *
scan_lines(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *texts, *starts_obj, *out_obj, *needs_obj, *share_obj, *found_obj, *repeats_obj;
    PyObject *lexicon_obj = Py_None, *lexical_obj = Py_None;
    if (!PyArg_ParseTuple(args, "O!OOOOOO|OO", &PyList_Type, &texts, &starts_obj, &out_obj, &needs_obj, &share_obj,
                          &found_obj, &repeats_obj, &lexicon_obj, &lexical_obj))
        return NULL;
    const Lexicon *lexicon = NULL;
    if (lexicon_obj != Py_None) {
        lexicon = PyCapsule_GetPointer(lexicon_obj, LEXICON_CAPSULE);
        if (!lexicon)
            return NULL;
    }
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts);
    Py_buffer starts = {0}, out = {0}, needs = {0}, share = {0}, found = {0}, repeats = {0}, lexical = {0};
    Py_ssize_t *group = NULL, *table = NULL;
    PyObject *result = NULL;
    Scratch s;
    memset(&s, 0, sizeof(s));
    s.lex = lexicon;
    unsigned char *prose = NULL;
    s.cands = PyList_New(0);
    if (!s.cands)
        return NULL;

    if (get_view(starts_obj, &starts, "l", 8, 0, "page_starts") < 0) {
        Py_DECREF(s.cands);
        return NULL;
    }
    Py_ssize_t n_bounds = starts.len / 8;
    const int64_t *bounds = starts.buf;
    if (check_bounds(bounds, n_bounds, n, "page_starts") < 0)
        goto done;
    if (get_output(out_obj, &out, "d", 8, n * N_LINE_FEATURES, "out") < 0)
        goto done;
    if (get_output(needs_obj, &needs, "i", 4, n, "needs") < 0)
        goto done;
    if (get_output(share_obj, &share, "d", 8, n, "share") < 0)
        goto done;
    if (get_output(found_obj, &found, "d", 8, n, "found") < 0)
        goto done;
    if (get_output(repeats_obj, &repeats, "d", 8, n, "repeats") < 0)
        goto done;
    if (lexicon && get_output(lexical_obj, &lexical, "d", 8, 3 * n, "lexical") < 0)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (ready_str(PyList_GET_ITEM(texts, i), "texts must hold str") < 0)
            goto done;
    }
    prose = PyMem_Malloc(n ? (size_t)n : 1);
    Py_ssize_t *line_end = PyMem_Malloc((n ? (size_t)n : 1) * sizeof(Py_ssize_t));
    if (!prose || !line_end) {
        PyMem_Free(line_end);
        PyErr_NoMemory();
        goto done;
    }
    group = PyMem_Malloc((n ? (size_t)n : 1) * sizeof(Py_ssize_t));
    if (!group) {
        PyMem_Free(line_end);
        PyErr_NoMemory();
        goto done;
    }
    double *rows = out.buf, *share_out = share.buf, *found_out = found.buf, *repeats_out = repeats.buf;
    int32_t *need_out = needs.buf;
    for (Py_ssize_t p = 0; p + 1 < n_bounds; p++) {
        Py_ssize_t lo = (Py_ssize_t)bounds[p], hi = (Py_ssize_t)bounds[p + 1];
        vocab_reset(&s.vocab);
        for (Py_ssize_t i = lo; i < hi; i++) {
            int is_prose;
            if (scan_line(PyList_GET_ITEM(texts, i), i, rows + i * N_LINE_FEATURES, need_out + i, &s, &is_prose) < 0) {
                PyMem_Free(line_end);
                goto done;
            }
            prose[i] = (unsigned char)is_prose;
            line_end[i] = s.vocab.n_line_ids;
            if (lexicon) {
                double *lex_row = (double *)lexical.buf + 3 * i;
                lex_row[0] = s.lex_value;
                lex_row[1] = (double)s.lex_known;
                lex_row[2] = (double)s.lex_words;
            }
        }
        /* How often each line's text occurs on the page: lines with equal text
         * share a group, the first of them; repeats_out[first] counts the group. */
        size_t size = 16;
        while (size < 2 * (size_t)(hi - lo))
            size <<= 1;
        Py_ssize_t *grown = resized(table, size, sizeof(Py_ssize_t));
        if (!grown) {
            PyMem_Free(line_end);
            goto done;
        }
        table = grown;
        for (size_t j = 0; j < size; j++)
            table[j] = -1;
        for (Py_ssize_t i = lo; i < hi; i++) {
            PyObject *text = PyList_GET_ITEM(texts, i);
            Py_hash_t h = PyObject_Hash(text);
            if (h == -1) {
                PyMem_Free(line_end);
                goto done;
            }
            size_t j = (size_t)h & (size - 1);
            for (;; j = (j + 1) & (size - 1)) {
                if (table[j] < 0) {
                    table[j] = i;
                    group[i] = i;
                    repeats_out[i] = 1.0;
                    break;
                }
                PyObject *other = PyList_GET_ITEM(texts, table[j]);
                Py_ssize_t len = PyUnicode_GET_LENGTH(text);
                if (PyObject_Hash(other) == h && PyUnicode_GET_LENGTH(other) == len &&
                    PyUnicode_KIND(other) == PyUnicode_KIND(text) &&
                    memcmp(PyUnicode_DATA(other), PyUnicode_DATA(text), (size_t)len * PyUnicode_KIND(text)) == 0) {
                    group[i] = table[j];
                    repeats_out[table[j]] += 1.0;
                    break;
                }
            }
        }
        for (Py_ssize_t i = lo; i < hi; i++)
            repeats_out[i] = repeats_out[group[i]];
        /* How many prose lines use each word, then each line's share of words used by other prose lines. */
        Py_ssize_t k = 0;
        for (Py_ssize_t i = lo; i < hi; i++) {
            for (; k < line_end[i]; k++)
                if (prose[i])
                    s.vocab.count[s.vocab.line_ids[k]]++;
        }
        k = 0;
        for (Py_ssize_t i = lo; i < hi; i++) {
            Py_ssize_t start = k, hits = 0, own = prose[i] ? 1 : 0;
            for (; k < line_end[i]; k++)
                if (s.vocab.count[s.vocab.line_ids[k]] - own > 0)
                    hits++;
            Py_ssize_t bag = k - start;
            share_out[i] = bag ? (double)hits / (double)bag : 0.0;
            found_out[i] = bag ? log1p((double)hits) : 0.0;
        }
    }
    PyMem_Free(line_end);
    result = s.cands;
    Py_INCREF(result);
done:
    PyMem_Free(group);
    PyMem_Free(table);
    Py_DECREF(s.cands);
    PyMem_Free(s.entries);
    PyMem_Free(prose);
    PyMem_Free(s.low.data);
    vocab_free(&s.vocab);
    PyBuffer_Release(&starts);
    if (out.obj)
        PyBuffer_Release(&out);
    if (needs.obj)
        PyBuffer_Release(&needs);
    if (share.obj)
        PyBuffer_Release(&share);
    if (found.obj)
        PyBuffer_Release(&found);
    if (repeats.obj)
        PyBuffer_Release(&repeats);
    if (lexical.obj)
        PyBuffer_Release(&lexical);
    return result;
}

/* lexicon_rows(texts, lexicon, out): for each stripped line, as scan_lines reads
 * it, (sum of its words' weights / sqrt(words), words known, words) into the
 * rows of out (float64, 3 per line); training scores many lines this way. */
static PyObject *
lexicon_rows(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *texts, *lexicon_obj, *out_obj;
    if (!PyArg_ParseTuple(args, "O!OO", &PyList_Type, &texts, &lexicon_obj, &out_obj))
        return NULL;
    const Lexicon *lex = PyCapsule_GetPointer(lexicon_obj, LEXICON_CAPSULE);
    if (!lex)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts);
    Py_buffer out = {0};
    if (get_output(out_obj, &out, "d", 8, 3 * n, "out") < 0)
        return NULL;
    Buf low = {0};
    PyObject *result = NULL;
    double *rows = out.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (ready_str(text, "texts must hold str") < 0)
            goto done;
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t len = PyUnicode_GET_LENGTH(text);
        Py_ssize_t head = len < MAX_PATTERN_CHARS ? len : MAX_PATTERN_CHARS;
        double sum = 0.0;
        Py_ssize_t known = 0, words = 0;
        for (Py_ssize_t j = 0; j < head;) {
            if (!is_letter(PyUnicode_READ(kind, data, j))) {
                j++;
                continue;
            }
            Py_ssize_t start = j;
            while (j < head && is_letter(PyUnicode_READ(kind, data, j)))
                j++;
            if (lower_word(text, kind, data, start, j, &low) < 0)
                goto done;
            double w;
            if (lexicon_find(lex, low.len, hash_ucs4(low.data, low.len), &w)) {
                sum += w;
                known++;
            }
            words++;
        }
        rows[3 * i] = words ? sum / sqrt((double)words) : 0.0;
        rows[3 * i + 1] = (double)known;
        rows[3 * i + 2] = (double)words;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(low.data);
    PyBuffer_Release(&out);
    return result;
}

/* ---------------------------------------------------- lines and context -- */

/* The bounds [lo, hi) of a line's text without its white space at either end (lo ==
 * hi: a blank line), with its kind and data; -1 with an exception set when the line
 * (page p, line i) is not a str. */
static int
line_bounds(PyObject *line, Py_ssize_t p, Py_ssize_t i, int *kind, const void **data, Py_ssize_t *lo,
            Py_ssize_t *hi)
{
    if (!PyUnicode_Check(line)) {
        PyErr_Format(PyExc_TypeError, "page %zd, line %zd must be a str; got %s.", p, i, Py_TYPE(line)->tp_name);
        return -1;
    }
    if (ensure_ready(line) < 0)
        return -1;
    *kind = PyUnicode_KIND(line);
    *data = PyUnicode_DATA(line);
    *lo = 0;
    *hi = PyUnicode_GET_LENGTH(line);
    while (*lo < *hi && is_space(PyUnicode_READ(*kind, *data, *lo)))
        (*lo)++;
    while (*hi > *lo && is_space(PyUnicode_READ(*kind, *data, *hi - 1)))
        (*hi)--;
    return 0;
}

/* line_shapes(pages, out): what bpclass.wrapping reads of each line (page after page),
 * into out (float64, SHAPE_COLUMNS per line; a blank line's row all 0): its length
 * without trailing white space, the length of its first word, whether its first
 * character is lower case and whether upper case, whether its last character may end
 * a sentence. */
#define SHAPE_COLUMNS 5

static inline int
ends_sentence(Py_UCS4 ch)
{
    switch (ch) {
    case '.': case '!': case '?': case ':': case ';': case '"': case '\'': case 0xbb: case 0x201d: case ')':
        return 1;
    default:
        return 0;
    }
}

static PyObject *
line_shapes(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *pages, *out_obj;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &pages, &out_obj))
        return NULL;
    Py_ssize_t total = 0;
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(pages); p++) {
        PyObject *page = PyList_GET_ITEM(pages, p);
        if (!PyList_Check(page)) {
            PyErr_SetString(PyExc_TypeError, "pages must be lists of str");
            return NULL;
        }
        total += PyList_GET_SIZE(page);
    }
    Py_buffer out;
    if (get_output(out_obj, &out, "d", 8, total * SHAPE_COLUMNS, "out") < 0)
        return NULL;
    double *row = out.buf;
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(pages); p++) {
        PyObject *page = PyList_GET_ITEM(pages, p);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(page); i++, row += SHAPE_COLUMNS) {
            int kind;
            const void *data;
            Py_ssize_t lo, hi;
            if (line_bounds(PyList_GET_ITEM(page, i), p, i, &kind, &data, &lo, &hi) < 0) {
                PyBuffer_Release(&out);
                return NULL;
            }
            for (int k = 0; k < SHAPE_COLUMNS; k++)
                row[k] = 0.0;
            if (hi == lo)
                continue;
            Py_ssize_t word = lo;
            while (word < hi && !is_space(PyUnicode_READ(kind, data, word)))
                word++;
            Py_UCS4 first = PyUnicode_READ(kind, data, lo);
            row[0] = (double)hi;
            row[1] = (double)(word - lo);
            row[2] = Py_UNICODE_ISLOWER(first) ? 1.0 : 0.0;
            row[3] = Py_UNICODE_ISUPPER(first) ? 1.0 : 0.0;
            row[4] = ends_sentence(PyUnicode_READ(kind, data, hi - 1)) ? 1.0 : 0.0;
        }
    }
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

/* An optional float64 output of one value per line (None or absent: view left empty). */
static int
per_line_output(PyObject *obj, Py_buffer *view, Py_ssize_t lines, const char *name)
{
    if (!obj || obj == Py_None)
        return 0;
    if (get_view(obj, view, "d", 8, 1, name) < 0)
        return -1;
    if (view->len != lines * 8) {
        PyErr_Format(PyExc_ValueError, "%s: one value per line expected", name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Where a stripped line's text starts (data[lo..hi)): past a list bullet (BULLETS in
 * bpclass/features.py) and the white space after it, when text follows; else lo. */
static Py_ssize_t
bullet_end(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, lo);
    if (!(c == 0x2022 || c == 0x25AA || c == 0x25E6 || c == 0x2023 || c == 0x2219 || c == 0x25CF || c == 0x00B7 ||
          c == '*'))
        return lo;
    Py_ssize_t j = lo + 1;
    if (j >= hi || !is_space(PyUnicode_READ(kind, data, j)))
        return lo;
    while (j < hi && is_space(PyUnicode_READ(kind, data, j)))
        j++;
    return j < hi ? j : lo;
}

/* strip_pages(pages, non_blank[, lengths[, firsts[, edges]]]) -> texts: every line
 * stripped (str.strip; a list bullet before the text cut off too: bullet_end), the
 * non-blank ones returned in order, non_blank[i] set for
 * each line, and, if given (float64, one per line), lengths[k] set to the k-th text's
 * length, firsts[k] to the code point of its line's first non-space character (a
 * bullet's: Markdown's list marks count) and edges[k] to 1 if
 * the line began with exactly one space, plus 2 if it ended with exactly one space. */
/* A line with at least this many white-space characters before or after its text is
 * padded (bpclass.columns: a text browser's table cell); bpclass.features.PAD_RUN. */
#define PAD_RUN 5

static PyObject *
strip_pages(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *pages, *mask_obj, *lengths_obj = NULL, *firsts_obj = NULL, *edges_obj = NULL;
    if (!PyArg_ParseTuple(args, "O!O|OOO", &PyList_Type, &pages, &mask_obj, &lengths_obj, &firsts_obj, &edges_obj))
        return NULL;
    Py_buffer mask, lengths = {0}, firsts = {0}, edges = {0};
    PyObject *texts = NULL;
    if (get_view(mask_obj, &mask, "?", 1, 1, "non_blank") < 0)
        return NULL;
    if (per_line_output(lengths_obj, &lengths, mask.len, "lengths") < 0 ||
        per_line_output(firsts_obj, &firsts, mask.len, "firsts") < 0 ||
        per_line_output(edges_obj, &edges, mask.len, "edges") < 0)
        goto fail;
    double *length_of = lengths.buf; /* of the kept lines, in order; NULL if not asked */
    double *first_of = firsts.buf;
    double *edge_of = edges.buf;
    texts = PyList_New(0);
    if (!texts)
        goto fail;
    Py_ssize_t at = 0;
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(pages); p++) {
        PyObject *page = PyList_GET_ITEM(pages, p);
        if (!PyList_Check(page)) {
            PyErr_SetString(PyExc_TypeError, "pages must be lists of str");
            goto fail;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(page); i++, at++) {
            PyObject *line = PyList_GET_ITEM(page, i);
            int kind;
            const void *data;
            Py_ssize_t lo, hi;
            if (line_bounds(line, p, i, &kind, &data, &lo, &hi) < 0)
                goto fail;
            if (at >= mask.len) {
                PyErr_SetString(PyExc_ValueError, "non_blank: one flag per line expected");
                goto fail;
            }
            ((char *)mask.buf)[at] = hi > lo;
            if (hi == lo)
                continue;
            Py_ssize_t start = bullet_end(kind, data, lo, hi);
            PyObject *text = PyUnicode_Substring(line, start, hi); /* the line itself when nothing is cut */
            if (!text || PyList_Append(texts, text) < 0) {
                Py_XDECREF(text);
                goto fail;
            }
            Py_DECREF(text);
            if (length_of)
                length_of[PyList_GET_SIZE(texts) - 1] = (double)(hi - start);
            if (first_of)
                first_of[PyList_GET_SIZE(texts) - 1] = (double)PyUnicode_READ(kind, data, lo); /* bullet and all */
            if (edge_of) {
                Py_ssize_t n = PyUnicode_GET_LENGTH(line);
                edge_of[PyList_GET_SIZE(texts) - 1] = (lo == 1 && PyUnicode_READ(kind, data, 0) == ' ' ? 1.0 : 0.0) +
                                                      (hi == n - 1 && PyUnicode_READ(kind, data, n - 1) == ' ' ? 2.0 : 0.0) +
                                                      (lo >= PAD_RUN || n - hi >= PAD_RUN ? 4.0 : 0.0);
            }
        }
    }
    if (at != mask.len) {
        PyErr_SetString(PyExc_ValueError, "non_blank: one flag per line expected");
        goto fail;
    }
    PyBuffer_Release(&mask);
    if (lengths.obj)
        PyBuffer_Release(&lengths);
    if (firsts.obj)
        PyBuffer_Release(&firsts);
    if (edges.obj)
        PyBuffer_Release(&edges);
    return texts;
fail:
    Py_XDECREF(texts);
    PyBuffer_Release(&mask);
    if (lengths.obj)
        PyBuffer_Release(&lengths);
    if (firsts.obj)
        PyBuffer_Release(&firsts);
    if (edges.obj)
        PyBuffer_Release(&edges);
    return NULL;
}

/* fill_context(X, bounds, sources, offsets, offset_columns, window_sources, widths, width_columns):
 * in each page's rows of X (rows bounds[p]..bounds[p+1]), column offset_columns[o] + j
 * gets column sources[j] of the row offsets[o] away (-1 outside the page), and
 * column width_columns[w] + j the mean of column window_sources[j] over the rows at
 * most widths[w] away inside the page, summed in the order of the offsets. */
static PyObject *
fill_context(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objs[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6],
                          &objs[7]))
        return NULL;
    static const char *names[8] = {"X", "bounds", "sources", "offsets", "offset_columns",
                                   "window_sources", "widths", "width_columns"};
    static const char *formats[8] = {"d", "l", "i", "i", "i", "i", "i", "i"};
    static const Py_ssize_t sizes[8] = {8, 8, 4, 4, 4, 4, 4, 4};
    Py_buffer v[8];
    int got = 0;
    PyObject *result = NULL;
    double *near = NULL, *wide = NULL; /* the source columns, gathered row after row */
    for (; got < 8; got++) {
        if (get_view(objs[got], &v[got], formats[got], sizes[got], got == 0, names[got]) < 0)
            goto done;
    }
    if (v[0].ndim != 2) {
        PyErr_SetString(PyExc_ValueError, "X must be 2-d");
        goto done;
    }
    Py_ssize_t n = v[0].shape[0], nf = v[0].shape[1];
    double *X = v[0].buf;
    const int64_t *bounds = v[1].buf;
    Py_ssize_t n_bounds = v[1].len / 8;
    const int32_t *src = v[2].buf, *off = v[3].buf, *offcol = v[4].buf, *wsrc = v[5].buf, *wid = v[6].buf,
                  *widcol = v[7].buf;
    Py_ssize_t n_src = v[2].len / 4, n_off = v[3].len / 4, n_wsrc = v[5].len / 4, n_wid = v[6].len / 4;
    if (v[4].len / 4 != n_off || v[7].len / 4 != n_wid) {
        PyErr_SetString(PyExc_ValueError, "one first column per offset and per width expected");
        goto done;
    }
    if (check_bounds(bounds, n_bounds, n, "bounds") < 0)
        goto done;
    for (Py_ssize_t j = 0; j < n_src; j++)
        if (src[j] < 0 || src[j] >= nf) {
            PyErr_SetString(PyExc_ValueError, "column out of range");
            goto done;
        }
    for (Py_ssize_t j = 0; j < n_wsrc; j++)
        if (wsrc[j] < 0 || wsrc[j] >= nf) {
            PyErr_SetString(PyExc_ValueError, "column out of range");
            goto done;
        }
    for (Py_ssize_t o = 0; o < n_off; o++)
        if (offcol[o] < 0 || offcol[o] + n_src > nf) {
            PyErr_SetString(PyExc_ValueError, "column out of range");
            goto done;
        }
    for (Py_ssize_t w = 0; w < n_wid; w++)
        if (widcol[w] < 0 || widcol[w] + n_wsrc > nf || wid[w] < 0 || wid[w] > 1000) {
            PyErr_SetString(PyExc_ValueError, "column or width out of range");
            goto done;
        }
    /* Read the source columns once into two small row-major tables: the neighbour
     * and window loops below then read nearby rows of a few columns from the cache,
     * not one value per wide row of X. Values and summation order are unchanged. */
    near = resized(NULL, (size_t)(n * n_src + 1), sizeof(double));
    wide = near ? resized(NULL, (size_t)(n * n_wsrc + 1), sizeof(double)) : NULL;
    if (!near || !wide)
        goto done;
    for (Py_ssize_t r = 0; r < n; r++) {
        const double *row = X + r * nf;
        for (Py_ssize_t j = 0; j < n_src; j++)
            near[r * n_src + j] = row[src[j]];
        for (Py_ssize_t j = 0; j < n_wsrc; j++)
            wide[r * n_wsrc + j] = row[wsrc[j]];
    }
    for (Py_ssize_t p = 0; p + 1 < n_bounds; p++) {
        Py_ssize_t lo = (Py_ssize_t)bounds[p], hi = (Py_ssize_t)bounds[p + 1];
        for (Py_ssize_t r = lo; r < hi; r++) {
            double *row = X + r * nf;
            for (Py_ssize_t o = 0; o < n_off; o++) {
                Py_ssize_t q = r + off[o];
                double *dst = row + offcol[o];
                if (q >= lo && q < hi) {
                    const double *other = near + q * n_src;
                    for (Py_ssize_t j = 0; j < n_src; j++)
                        dst[j] = other[j];
                } else {
                    for (Py_ssize_t j = 0; j < n_src; j++)
                        dst[j] = -1.0;
                }
            }
            for (Py_ssize_t w = 0; w < n_wid; w++) {
                double *dst = row + widcol[w];
                Py_ssize_t a = r - wid[w] < lo ? lo : r - wid[w];
                Py_ssize_t b = r + wid[w] >= hi ? hi - 1 : r + wid[w];
                for (Py_ssize_t j = 0; j < n_wsrc; j++) {
                    double sum = 0.0;
                    for (Py_ssize_t q = a; q <= b; q++)
                        sum += wide[q * n_wsrc + j];
                    dst[j] = sum / (double)(b - a + 1);
                }
            }
        }
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyMem_Free(near);
    PyMem_Free(wide);
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&v[k]);
    return result;
}

/* ------------------------------------------------------------ tree walk -- */

/* Rows walked down the trees together, so that their memory loads overlap. */
#define LANES 16

/* forest_scores(X, n_features, feature, threshold, leaf, depth, out[, rows]):
 * out[i] += the leaf value that row i of X (row rows[i], given an int64 array
 * of row numbers) reaches in each perfect tree, added one tree after another.
 * Node k of a tree goes to 2k+1 when x <= threshold (NaN goes right, as in the
 * node-by-node walk), else to 2k+2. */
static PyObject *
forest_scores(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *objs[6] = {NULL};
    Py_ssize_t n_features;
    int depth;
    if (!PyArg_ParseTuple(args, "OnOOOiO|O", &objs[0], &n_features, &objs[1], &objs[2], &objs[3], &depth, &objs[4],
                          &objs[5]))
        return NULL;
    static const char *names[6] = {"X", "feature", "threshold", "leaf", "out", "rows"};
    static const char *formats[6] = {"d", "i", "d", "d", "d", "l"};
    static const Py_ssize_t sizes[6] = {8, 4, 8, 8, 8, 8};
    int n_views = objs[5] && objs[5] != Py_None ? 6 : 5;
    Py_buffer views[6];
    int got = 0;
    PyObject *result = NULL;
    for (; got < n_views; got++) {
        if (get_view(objs[got], &views[got], formats[got], sizes[got], got == 4, names[got]) < 0)
            goto done;
    }
    if (n_features <= 0 || views[0].len % (n_features * 8) != 0) {
        PyErr_SetString(PyExc_ValueError, "X: shape does not match n_features");
        goto done;
    }
    if (depth < 0 || depth > 20) {
        PyErr_SetString(PyExc_ValueError, "depth out of range");
        goto done;
    }
    Py_ssize_t n_x = views[0].len / (n_features * 8);
    const int64_t *rows = n_views == 6 ? views[5].buf : NULL;
    Py_ssize_t n_rows = rows ? views[5].len / 8 : n_x;
    for (Py_ssize_t i = 0; rows && i < n_rows; i++) {
        if (rows[i] < 0 || rows[i] >= n_x) {
            PyErr_SetString(PyExc_ValueError, "rows: a row number out of range");
            goto done;
        }
    }
    Py_ssize_t n_inner = ((Py_ssize_t)1 << depth) - 1, n_leaves = (Py_ssize_t)1 << depth;
    Py_ssize_t n_trees = views[3].len / 8 / n_leaves;
    if (views[1].len / 4 != n_trees * n_inner || views[2].len / 8 != n_trees * n_inner ||
        views[3].len / 8 != n_trees * n_leaves) {
        PyErr_SetString(PyExc_ValueError, "tree arrays do not match the depth");
        goto done;
    }
    if (views[4].len / 8 != n_rows) {
        PyErr_SetString(PyExc_ValueError, "out: one value per row (of rows, if given) expected");
        goto done;
    }
    const double *X = views[0].buf, *thr = views[2].buf, *leaf = views[3].buf;
    const int32_t *feat = views[1].buf;
    double *out = views[4].buf;
    for (Py_ssize_t i = 0; i < n_trees * n_inner; i++) {
        if (feat[i] < 0 || feat[i] >= n_features) {
            PyErr_SetString(PyExc_ValueError, "feature index out of range");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t r = 0;
    for (; r + LANES <= n_rows; r += LANES) {
        double acc[LANES];
        const double *x[LANES];
        for (int l = 0; l < LANES; l++) {
            acc[l] = out[r + l];
            x[l] = X + (rows ? rows[r + l] : r + l) * n_features;
        }
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            const int32_t *f = feat + t * n_inner;
            const double *th = thr + t * n_inner;
            Py_ssize_t k[LANES] = {0};
            for (int d = 0; d < depth; d++)
                for (int l = 0; l < LANES; l++)
                    k[l] = 2 * k[l] + 2 - (x[l][f[k[l]]] <= th[k[l]]);
            const double *lv = leaf + t * n_leaves - n_inner;
            for (int l = 0; l < LANES; l++)
                acc[l] += lv[k[l]];
        }
        for (int l = 0; l < LANES; l++)
            out[r + l] = acc[l];
    }
    for (; r < n_rows; r++) {
        double acc = out[r];
        const double *x = X + (rows ? rows[r] : r) * n_features;
        for (Py_ssize_t t = 0; t < n_trees; t++) {
            const int32_t *f = feat + t * n_inner;
            const double *th = thr + t * n_inner;
            Py_ssize_t k = 0;
            for (int d = 0; d < depth; d++)
                k = 2 * k + 2 - (x[f[k]] <= th[k]);
            acc += leaf[t * n_leaves + k - n_inner];
        }
        out[r] = acc;
    }
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&views[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, "configure(word_sets, cjk_stop_chars): the word lists, once."},
    {"scan_lines", scan_lines, METH_VARARGS,
     "scan_lines(texts, page_starts, out, needs, share, found, repeats[, lexicon, lexical]) -> [line, kind, position, "
     "...]: line features."},
    {"make_lexicon", make_lexicon, METH_VARARGS, "make_lexicon(words, weights) -> a model's word weights for scan_lines."},
    {"lexicon_rows", lexicon_rows, METH_VARARGS, "lexicon_rows(texts, lexicon, out): (score, known, words) per line."},
    {"line_shapes", line_shapes, METH_VARARGS,
     "line_shapes(pages, out): per line, length without trailing space, first word's length, first character "
     "lower / upper case, last character ends a sentence."},
    {"strip_pages", strip_pages, METH_VARARGS,
     "strip_pages(pages, non_blank[, lengths[, firsts[, edges]]]) -> stripped non-blank lines (lengths[k], "
     "firsts[k], edges[k]: the k-th one's length, first code point, single-space edges)."},
    {"fill_context", fill_context, METH_VARARGS, "fill_context(X, bounds, ...): neighbour and window columns."},
    {"forest_scores", forest_scores, METH_VARARGS,
     "forest_scores(X, n_features, feature, threshold, leaf, depth, out[, rows]): out += leaf values."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "Compiled line features and tree walk for bpclass.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    for (Py_UCS4 ch = 0; ch < 128; ch++)
        ascii_class[ch] = (unsigned char)slow_class(ch);
    return PyModule_Create(&module);
}
