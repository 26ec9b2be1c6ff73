"""Regular expressions and word lists the line features look for.

Every pattern here is written to run in linear time: no nested quantifiers, no
alternations that can match the same text two ways under a repeat. Lines are
cut to ``MAX_LINE_CHARS`` before any pattern sees them (see ``features``).
"""

from __future__ import annotations

import re

_MONTHS = (
    # en
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec "
    # id / ms
    "januari februari maret mei juni juli agustus oktober desember agu okt des "
    # de
    "januar februar märz maerz dezember mär okt dez "
    # fr
    "janvier février fevrier mars avril juin juillet août aout septembre octobre "
    "novembre décembre decembre janv févr avr juil déc "
    # es / pt / it
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre janeiro fevereiro março maio junho julho setembro outubro "
    "dezembro gennaio febbraio aprile maggio giugno luglio settembre ottobre "
    "dicembre "
    # nl / sv / pl (common forms)
    "januari februari maart mei augustus oktober mars maj augusti stycznia lutego "
    "marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia"
).split()
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu "
    "thur thurs fri sat sun senin selasa rabu kamis jumat jum'at sabtu minggu ahad "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi "
    "jeudi vendredi samedi dimanche lunes martes miércoles miercoles jueves viernes "
    "sábado sabado domingo lunedì martedì mercoledì giovedì venerdì sabato domenica "
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira"
).split()


def _words(words: list[str]) -> str:
    # Longest first so that "sept" wins over "sep"; re.escape keeps "jum'at" literal.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


MONTH_DATE = re.compile(
    rf"\b(?:\d{{1,2}}\.?\s(?:{_words(_MONTHS)})\b|(?:{_words(_MONTHS)})\.?\s\d{{1,4}}\b)",
    re.I,
)
# A date written the Chinese and Japanese way: "2012年01月12日", "1月12日" (the features'
# date columns do not know it yet; the headline rule reads it, bpclass.policy).
CJK_DATE = re.compile(r"\d{1,2}\s?月\s?\d{1,2}\s?日|\d{4}\s?年\s?\d{1,2}\s?月")
# A Chinese site's notice under its articles: a disclaimer ("腾讯声明：...仅供投资者参考，
# 并不构成投资建议", "免責聲明：..."), a reprint notice ("转载并不代表本网赞同其观点",
# "凡本网注明...", "未经授权不得转载"); a statement's line must open with it ("外交部声明：",
# quoted in a news story, names no reprint or advice). Every gap is bounded: linear time.
SITE_NOTICE = re.compile(
    r"^\W{0,3}(?:免责|免責)(?:声明|聲明)"
    r"|^\W{0,3}[^\W\d_]{0,10}(?:声明|聲明)[：:][^\n]{0,60}?"
    r"(?:仅供参考|僅供參考|不构成|不構成|风险自担|風險自擔|不代表|转载|轉載|版权|版權|不承担|不承擔)"
    r"|(?:转载|轉載)[^\n]{0,40}?(?:不代表|不意味|不表明)"
    r"|凡本(?:网|站|網)注明"
    r"|未经[^\n]{0,20}?(?:授权|许可|同意|授權|許可)[^\n]{0,6}?不得(?:转载|轉載|复制|複製|使用)"
)
NUMERIC_DATE = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")
WEEKDAY = re.compile(rf"\b(?:{_words(_WEEKDAYS)})\b", re.I)
CLOCK_TIME = re.compile(
    r"\b[0-2]?\d:[0-5]\d\b|\b[0-2]?\d\.[0-5]\d\s?(?:wib|wita|wit|uhr|h)\b|\b\d{1,2}\s?[ap]\.?m\b",
    re.I,
)
RELATIVE_TIME = re.compile(
    r"\b(?:\d+|an?|one|few)\s?(?:s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|"
    r"days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago\b"
    r"|\b\d+\s(?:detik|menit|jam|hari|minggu|bulan|tahun)\s(?:yang\s)?lalu\b"
    r"|\bvor\s(?:\d+|einer?|einem)\s(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|"
    r"monat(?:en)?|jahr(?:en)?)\b"
    r"|\bil\sy\sa\s\d+\s(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)\b"
    r"|\bhace\s\d+\s(?:segundos?|minutos?|horas?|días?|dias?|semanas?|meses|mes|años?)\b"
    r"|\bhá\s\d+\s(?:segundos?|minutos?|horas?|dias?|semanas?|meses|mês|anos?)\b"
    r"|\b\d+\s(?:secondi|minuti|ore|ora|giorni|giorno|settimane|mesi|anni)\sfa\b"
    r"|\b\d+\s(?:seconden|minuten|uur|dagen|dag|weken|maanden|jaar)\sgeleden\b"
    r"|\b\d+\s\w+\stemu\b|\b\d+\s\w+\sназад\b"
    r"|\b(?:yesterday|just now|kemarin|baru saja|gestern|hier|ayer|ieri|ontem)\b",
    re.I,
)
SEPARATOR = re.compile(r"[|»›«‹•·>/\\]")
# Top-level domains a bare domain name ends with: the generic ones and the country codes
# of the languages bpclass is measured in and their neighbours; never a two-letter word
# a sentence may start with after a missing space (".In", ".It", ".Es", ".By").
URL_TLDS = tuple(
    "com net org info biz gov edu tv eu id co io de fr uk ru ua kz pl cz sk hu ro gr cn jp"
    " kr tw hk au nl ch se fi dk br".split()
)
# A bare domain is found by its ending (".com" after a word character), never by
# scanning back over the name: "a-a-a-a..." must not make the search quadratic.
URL = re.compile(r"\bhttps?://\S|\bwww\.\S|(?<=\w)\.(?:" + "|".join(URL_TLDS) + r")\b", re.I)
# Anchored on the "@" for the same reason.
EMAIL = re.compile(r"(?<=[\w.+-])@[\w-]+\.\w")
COPYRIGHT_PHRASES = (
    "copyright", "all rights reserved", "hak cipta", "alle rechte vorbehalten", "tous droits réservés",
    "todos los derechos",
)  # fmt: skip
COPYRIGHT = re.compile(rf"©|\(c\)\s?\d{{4}}|\b(?:{_words(COPYRIGHT_PHRASES)})\b", re.I)
CAPTION = re.compile(
    r"\b(?:foto|photo|photos|image|images|bild|gambar|ilustrasi|illustration|credit|"
    r"credits|kredit|pic|picture|video)\s?[:/|]|\bgetty images\b|\bshutterstock\b|"
    r"\bap photo\b|\breuters/|\bafp/|\(photo\b|\bphoto by\b|\bfile photo\b",
    re.I,
)
BYLINE_STARTS = "by oleh von par por di door av autor author penulis reporter editor redaktur".split() + [
    "written by",
    "posted by",
]
BYLINE = re.compile(rf"^(?:{_words(BYLINE_STARTS)})\b\s?:?\s?\S", re.I)
_BOILER_PHRASES = (
    "share shares tweet subscribe newsletter login register cookie cookies privacy "
    "advertisement advertising sponsored loading related recommended trending popular "
    "comment comments reply menu search home previous next click download app "
    "rekomendasi terkini terpopuler klik lanjut selengkapnya bagikan iklan werbung anzeige "
    "teilen kommentar kommentare publicité partager publicidad compartir comentarios "
    "condividi pubblicità"
).split() + [
    "sign in", "sign up", "log in", "log out", "terms of", "read more", "read also", "see also",
    "most read", "follow us", "skip to", "back to top", "baca juga", "berita terkait",
    "mehr zum thema", "lesen sie auch", "lire aussi", "leer más", "leggi anche",
]  # fmt: skip
BOILER_PHRASE = re.compile(rf"\b(?:{_words(_BOILER_PHRASES)})\b", re.I)
# The same alternatives, longest first as the pattern tries them (the compiled scan matches them itself).
BOILER_PHRASES = tuple(sorted(set(_BOILER_PHRASES), key=lambda p: (-len(p), p)))
# The heading of a comment section, matched against one line: "12 Comments", "Leave a
# Reply", "Comments (3)", "3 Responses to ...", "2 thoughts on ...", "Join the
# discussion", "Kommentare", "Laissez un commentaire", "Komentarze (4)", "Комментарии",
# "Yorumlar", "Publier un nouveau commentaire" (the words added last -- Swedish, Polish,
# Czech, Dutch singular, Turkish, Russian -- only alone or with a count: "Kommentarer
# till inlägget (Atom)" is a feed link). Then Polish, Russian and Greek calls to
# comment ("Dodaj komentarz", "Добавить комментарий", "Αφήστε ένα σχόλιο"), Greek
# "Σχόλια", and Chinese, Japanese and Korean words for comments (评论, 网友评论,
# 我要评论(0), コメント, 댓글) alone on their line, and the words of a dozen more languages
# (Ukrainian, Bulgarian, Croatian and Serbian, Slovenian, Slovak, Hungarian, Romanian,
# Lithuanian, Latvian, Estonian, Vietnamese, Arabic, Hebrew, Persian; not measured: no
# set holds them): daniel cross-validated by site, Polish
# 0.893 -> 0.920, Russian 0.835 -> 0.850, no held-out set lower (docs/experiments.md,
# 2026-12-06). Not "留言" (guestbook): it stands alone in blog menus, above the article,
# and a date under it passes for a comment's header.
# Calls to readers above an English comment form ("Have your say", "Got something to
# say?", "Your comments", "Comment on this article"; daniel English cross-validated
# +0.001, dragnet +0.001; docs/experiments.md, 2026-12-07).
# A comment form's note on its required fields ("Required fields are marked *", "*
# Звездочкой отмечены поля обязательные для заполнения", "Pola oznaczone * są
# wymagane", "Τα πεδία ... με * είναι υποχρεωτικά"): daniel Russian in BeautifulSoup's
# and resiliparse's layouts +0.007 / +0.008, no held-out page moved (docs/experiments.md,
# 2026-12-07).
# Last, a comment form's e-mail field marked required or never published ("Email *",
# "E-mail (required)", "E-Mail (не публикуется)"), which ends the article on sites whose
# thread has no heading: daniel cross-validated by site, Russian 0.843 -> 0.871
# (argumenti.ru's thread and teasers below its form), the rest and every held-out set
# within 0.003 (docs/experiments.md, 2026-12-07). "email" and "mail" (of "E-mail") are
# comment words so that the line scan flags such lines.
# And the rules of the comment section above its form ("Comment policy", "Правила
# комментирования", "Zasady komentowania", "评论规则"): daniel cross-validated by site,
# Russian 0.904 -> 0.907 in our layout (ria.ru), 0.866 -> 0.873 in BeautifulSoup's
# (aif.ru), every held-out set the same (docs/experiments.md, 2026-12-07, thirteenth
# session).
# The leading [^\w\n]* and what follows it cannot match the same characters, so no
# backtracking.
_SP = r"[^\S\n]+"
# Buyers' reviews below a product are its readers' comments: the heading of a review
# section ("Customer reviews", "Top reviews from the United States", "Write a review",
# "Reviews (12)", "Kundenrezensionen", "Отзывы покупателей", "商品评价"). A bare "Reviews",
# "Opiniones" or "Отзывы" names a menu's page or a news section as often: only with a
# count ("Reviews (12)", "8 Reviews").
_COUNT = r"[^\S\n]*(?:\(\d+\)|（\d+）|:?[^\S\n]*\d+)[^\S\n]*$"  # "(12)", ": 12", " 12"
_REVIEWS = (
    rf"|(?:customer|user|guest|buyer|verified|product)s?'?{_SP}reviews?\b"
    rf"|top{_SP}(?:positive{_SP}|critical{_SP})?reviews\b"
    rf"|(?:write|add|leave|submit|post){_SP}(?:a|your|the{_SP}first){_SP}review\b"
    rf"|\d+{_SP}(?:reviews?|kundenrezensionen|kundenbewertungen|rezensionen|bewertungen|beoordelingen"
    rf"|recensioni|avaliações|opiniones|reseñas|valoraciones|opinii|отзыв(?:а|ов)?|κριτικές)[^\S\n]*$"
    rf"|(?:reviews|kundenrezensionen|kundenbewertungen|rezensionen|bewertungen|beoordelingen|recensioni"
    rf"|avaliações|opiniones|reseñas|valoraciones|opinie|отзывы|κριτικές|(?:商品|用户|买家|累计|顾客)?评价"
    rf"|(?:カスタマー)?レビュー){_COUNT}"
    rf"|(?:kundenrezensionen|kundenbewertungen|klantbeoordelingen|(?:商品|用户|买家|累计|顾客)评价"
    rf"|カスタマーレビュー)[^\S\n]*[:：]?[^\S\n]*$"
    rf"|(?:bewertung|rezension){_SP}schreiben\b"
    rf"|avis{_SP}(?:des{_SP}|de{_SP}nos{_SP})?clients\b|(?:donner|laisser|écrire|rédiger){_SP}(?:un|votre){_SP}avis\b"
    rf"|(?:opiniones|reseñas|valoraciones){_SP}de{_SP}(?:los{_SP}|nuestros{_SP})?clientes\b"
    rf"|escribir{_SP}(?:una{_SP})?(?:opinión|reseña)\b|recensioni{_SP}(?:dei{_SP})?clienti\b"
    rf"|scrivi{_SP}una{_SP}recensione\b|avaliações{_SP}(?:de{_SP}|dos{_SP})?clientes\b"
    rf"|opinie{_SP}(?:klientów|kupujących|użytkowników)\b|(?:dodaj|napisz|wystaw){_SP}opinię\b"
    rf"|отзывы{_SP}(?:покупателей|клиентов|пользователей)\b|(?:оставить|написать|добавить){_SP}отзыв\b"
    rf"|κριτικές{_SP}(?:πελατών|χρηστών)\b"
)
REVIEW_WORDS = frozenset(
    "review reviews kundenrezensionen kundenbewertungen rezensionen bewertungen bewertung rezension "
    "beoordelingen klantbeoordelingen recensioni recensione avaliações opiniones opinión reseñas reseña "
    "valoraciones avis opinie opinię opinii отзывы отзывов отзыва отзыв κριτικές "
    "评价 商品评价 用户评价 买家评价 累计评价 顾客评价 レビュー カスタマーレビュー".split()
)
COMMENT_HEADING = re.compile(
    # Anchored, and the leading marks taken whole (every alternative starts with a word
    # character; "(?=(...))\1" never gives back what it took): linear time on any line.
    rf"^(?=([^\w\n]*))\1(?:"
    rf"(?:\d+|one|two){_SP}(?:comments?|responses?|thoughts?)\b"
    rf"|no{_SP}(?:comments|responses)\b"
    rf"|(?:please{_SP})?(?:leave|post|add|write|submit){_SP}"
    rf"(?:(?:a|your|new){_SP}(?:comment|reply|response)\b|comments[^\w\n]*$)"
    rf"|comments?[^\S\n]*(?:\(\d+\)|:)?[^\S\n]*$"
    rf"|(?:reader|user){_SP}comments\b"
    rf"|join{_SP}the{_SP}(?:discussion|conversation)\b"
    rf"|(?:have{_SP}your|what{_SP}would{_SP}you{_SP}like{_SP}to){_SP}say[^\w\n]*$|got{_SP}something{_SP}to{_SP}say\b"
    rf"|your{_SP}comments?[^\S\n]*[:*]?[^\S\n]*$"
    rf"|(?:comment{_SP}on|discuss){_SP}this{_SP}(?:story|article|post)\b"
    rf"|share{_SP}your{_SP}(?:thoughts|comments?)[^\S\n]*[:.…]*[^\S\n]*$"
    rf"|comments?{_SP}(?:are|is|have{_SP}been){_SP}(?:now{_SP})?closed\b"
    rf"|les{_SP}commentaires{_SP}sont{_SP}(?:désormais{_SP})?fermés"
    rf"|los{_SP}comentarios{_SP}(?:están{_SP})?cerrados"
    rf"|комментарии{_SP}(?:к{_SP}[^\W\d_]+{_SP})?(?:[^\W\d_]+{_SP})?закрыты"
    rf"|komentarze{_SP}(?:zostały{_SP}|są{_SP})?(?:wyłączone|zamknięte)"
    rf"|(?:τα{_SP})?σχόλια{_SP}(?:είναι{_SP}|έχουν{_SP})?(?:κλειστά|κλείσει)"
    rf"|responses?{_SP}to\b"
    rf"|(?:\d+{_SP})?(?:kommentare?|komentar|kommentit|commentaires?|comentarios?|comentários?|commenti|reacties)\b"
    rf"|(?:\d+{_SP})?(?:kommentarer|komentarze|komentáře|reactie|yorumlar|комментари[йия]|комментариев)"
    rf"[^\S\n]*(?:\(\d+\)|:?[^\S\n]*\d+|:)?[^\S\n]*$"
    rf"|(?:laisser|laissez|publier|poster|ajouter|écrire|deja|deje|escribe|añadir|deixe|escreva|adicionar|lascia"
    rf"|scrivi|aggiungi|tulis){_SP}(?:[^\W\d_]+{_SP}){{0,2}}"
    rf"(?:commentaire|comentario|comentário|commento|komentar)\b"
    rf"|(?:dodaj|zostaw|napisz|twój|wasze|wszystkie|ostatnie|brak){_SP}(?:komentarz|komentarze|komentarzy)\b"
    rf"|(?:добавить|оставить|написать|ваш|все){_SP}комментари[йия]\b"
    rf"|(?:\d+{_SP})?(?:σχόλια|σχόλιο|σχολιάστε)[^\S\n]*(?:\(\d+\)|\d+|:)?[^\S\n]*$"
    rf"|(?:προσθήκη|γράψτε|αφήστε){_SP}(?:[^\W\d_]+{_SP})?σχόλι"
    rf"|(?:网友|我要|发表|最新|精彩)?评论(?:区)?[^\S\n]*(?:\(\d+\)|（\d+）|[:：])?[^\S\n]*$"
    rf"|(?:\d+{_SP})?(?:コメント|댓글)[^\S\n]*(?:\(\d+\)|\d+|[:：])?[^\S\n]*$"
    rf"|(?:\d+{_SP})?(?:коментарі|коментарів|коментари|komentari|komentara|komentarji|komentáre|hozzászólások"
    rf"|comentarii|komentarai|komentāri|kommentaarid|bình{_SP}luận|التعليقات|تعليقات|תגובות|نظرات)"
    rf"[^\S\n]*(?:\(\d+\)|:?[^\S\n]*\d+|:)?[^\S\n]*$"
    rf"|(?:додати|залишити|dodaj|ostavi|pridať|adaugă|lasă|gửi|viết){_SP}(?:[^\W\d_]+{_SP})?"
    rf"(?:коментар|komentar|komentár|comentariu|bình{_SP}luận)"
    rf"|(?:أضف|اترك){_SP}تعليق|הוסף{_SP}תגובה|ارسال{_SP}نظر"
    rf"|e-?mail(?:{_SP}address)?[^\S\n]*:?(?:[^\S\n]*(?:\*|\([^()\n]{{1,40}}\)))+[^\S\n]*$"
    rf"|(?:indicates{_SP})?required{_SP}fields?{_SP}(?:are{_SP})?marked\b|indicates{_SP}required{_SP}fields?\b"
    rf"|(?:all{_SP})?fields{_SP}marked{_SP}(?:with{_SP})?(?:an{_SP}asterisk{_SP}|\S{_SP})?(?:are{_SP})?(?:required|mandatory)\b"
    rf"|звездочкой{_SP}отмечены{_SP}поля|поля,?{_SP}помеченные{_SP}звездочкой|(?:все{_SP})?поля,?{_SP}"
    rf"(?:обязательны|обязательные){_SP}для{_SP}заполнения"
    rf"|pola{_SP}oznaczone{_SP}(?:gwiazdką|\*){_SP}(?:są{_SP})?(?:wymagane|obowiązkowe)"
    rf"|τα{_SP}πεδία{_SP}(?:που{_SP}εμφανίζονται{_SP}|που{_SP}είναι{_SP}σημειωμένα{_SP})?με{_SP}\*{_SP}είναι{_SP}υποχρεωτικά"
    rf"|(?:comments?|commenting){_SP}(?:policy|rules|guidelines)[^\S\n]*:?[^\S\n]*$"
    rf"|правила{_SP}комментирования\b|(?:zasady{_SP}komentowania|regulamin{_SP}komentarzy)\b"
    rf"|(?:κανόνες|όροι){_SP}σχολιασμού\b|评论(?:规则|须知|公约)"
    rf"{_REVIEWS}"
    rf")",
    re.I,
)
# Every line COMMENT_HEADING matches holds one of these words (a WORD token, lower-cased):
# only such lines, which the line scan flags, are matched against the pattern.
COMMENT_WORDS = (
    frozenset(
        "comment comments reply response responses thought thoughts discussion conversation kommentar "
        "kommentare komentar kommentit commentaire commentaires comentario comentarios comentário comentários "
        "commenti commento reacties reactie kommentarer komentarze komentáře yorumlar комментарий комментарии "
        "комментария комментариев komentarz komentarzy σχόλια σχόλιο σχολιάστε σχόλιά σχολίων "
        "评论 网友评论 我要评论 发表评论 最新评论 精彩评论 评论区 コメント 댓글 коментарі коментарів коментар "
        "коментари komentari komentara komentarji komentáre komentár hozzászólások comentarii comentariu "
        "komentarai komentāri kommentaarid luận التعليقات تعليقات تعليق תגובות תגובה نظرات نظر email mail "
        "commenting комментирования komentowania σχολιασμού 评论规则 评论须知 评论公约 say discuss "
        "fields поля pola πεδία".split()
    )
    | REVIEW_WORDS
)
# What follows a real comment heading: the comments' own headers ("Ann says:",
# "Reply", "Report abuse"), besides their dates and times (MONTH_DATE, CLOCK_TIME, ...).
# A comment's header: "Ann says:", or the actions under a comment.
COMMENT_SAYS = re.compile(r"\b(?:says|said|wrote|writes):?\s*$", re.I)
COMMENT_ACTION = re.compile(r"^\W*(?:reply|report|flag|quote)\b", re.I)
LIST_MARKER = re.compile(r"^(?:[-*•·–—▪►]\s|\d{1,3}[.)]\s|[a-z][.)]\s)", re.I)
LABEL_PREFIX = re.compile(r"^[\w' -]{1,25}:\s")
ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*$")
TERMINAL_END = re.compile(r"[.!?。！？؟:;][\"'”’»)\]]*\s*$")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
DIGIT = re.compile(r"\d")
UPPER = re.compile(r"[^\W\d_a-z]", re.UNICODE)
# Han and kana; CJK adds Hangul (Korean, which puts spaces between its words).
_HAN_KANA = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_KANA = re.compile(f"[{_HAN_KANA}]")
CJK = re.compile(rf"[{_HAN_KANA}\uac00-\ud7af]")
PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def _first_words(phrases) -> frozenset:
    """The first run of letters of each phrase, lower-cased.

    A pattern that matches one of the phrases between word boundaries can only
    match a line whose words (``WORD`` tokens) include that first run: a cheap
    test, done first, that skips the pattern for most lines.
    """
    return frozenset(WORD.match(p).group(0).lower() for p in phrases if WORD.match(p))


MONTH_WORDS = _first_words(_MONTHS)
WEEKDAY_WORDS = _first_words(_WEEKDAYS)
# The weekday names that are one WORD token and begin no longer name: the line scan
# knows that WEEKDAY matches at such a word when word boundaries surround it.
WEEKDAY_WHOLE_WORDS = frozenset(
    name
    for name in _WEEKDAYS
    if WORD.fullmatch(name) and not any(other != name and WORD.match(other).group(0) == name for other in _WEEKDAYS)
)
BOILER_WORDS = _first_words(_BOILER_PHRASES)
BYLINE_WORDS = _first_words(BYLINE_STARTS)
# Every alternative of CAPTION, COPYRIGHT and RELATIVE_TIME (besides "©" and digits)
# contains one of these words.
CAPTION_WORDS = frozenset(
    "foto photo photos image images bild gambar ilustrasi illustration credit credits kredit pic "
    "picture video getty shutterstock ap reuters afp file".split()
)
COPYRIGHT_WORDS = frozenset("c copyright all hak alle tous todos".split())
# Every way RELATIVE_TIME can match starts with a word of the first two sets ("vor 3
# Stunden", "yesterday"; the second only with a digit: "il y a 2 jours") or ends with
# a word of the last two ("2 hours ago"; "3 hari lalu"). Together: RELATIVE_WORDS.
RELATIVE_START_WORDS = frozenset("vor yesterday just kemarin baru gestern hier ayer ieri ontem".split())
RELATIVE_START_DIGIT_WORDS = frozenset("il hace há".split())
RELATIVE_END_WORDS = frozenset(["ago"])
RELATIVE_END_DIGIT_WORDS = frozenset("lalu fa geleden temu назад".split())
RELATIVE_WORDS = RELATIVE_START_WORDS | RELATIVE_START_DIGIT_WORDS | RELATIVE_END_WORDS | RELATIVE_END_DIGIT_WORDS
# A URL that URL finds by its start.
URL_WORDS = frozenset("http https www".split())
# Characters that re.IGNORECASE lets match a letter of the patterns above although
# str.lower() does not turn them into it (U+017F long s matches "s"): a word holding
# one escapes the word-list tests. tests/test_speedups.py recomputes this list.
FOLD_CHARS = "\u0130\u0131\u017f\u1c81"

# Frequent function words: a line of prose is full of them, a menu or a headline
# list is not. Short lists, several languages; the share is language-agnostic.
STOPWORDS = frozenset(
    """
    the a an and or of to in on for with is are was were be been it this that as at
    by from has have had not but he she they we you his her their its which who will
    yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga sudah
    karena oleh atau bahwa para ada bisa mereka kami kita saat telah
    der die das und ist nicht ein eine zu den mit von sich des auf für im dem auch
    es an als wie bei oder nach wird sind noch wurde
    le la les et est un une des du en que qui dans pour pas sur au avec ce il elle
    sont par plus ne se aux ou
    el los las y es un una de que en por con para no se del al lo como más pero su
    il di che è per non sono gli della nel con una le
    o os as um uma não com para do da em no na que
    het een van en is niet met zijn op te voor dat die
    och att det som en är på för med av inte till
    ja on ei se että oli ovat mutta
    """.split()
)
# The same for Chinese and Japanese, whose words are not split by spaces: single
# characters that are function words (particles, copulas, aspect markers).
CJK_STOP_CHARS = frozenset("的了是在和也就都而及与着或这那你我他她们之于为以其" + "のはがをにでともたなへやか")
CJK_STOP = re.compile("[" + "".join(sorted(CJK_STOP_CHARS)) + "]")

# A page's own code that some scrapers give with its text (lxml's text_content(), an
# XPath "//text()": the text of <style> and <script> elements), told from the code an
# article shows (a tutorial's functions, a manual's shell lines), which is content.
# Matched against a line with its white space stripped, from its start (each pattern
# is anchored there, so that it runs in linear time however it is called). A style
# sheet's declaration ("text-align: left;"), selector (".nav a {", "#top {", "@media
# print {") or comment:
CSS_DECLARATION = re.compile(r"^\*?[a-z]+(?:-[a-z]+)*\s*:\s*[^;{}\s:][^;{}]{0,80};\s*(?:/\*.*\*/)?$")
CSS_SELECTOR = re.compile(r"^[.#@:][\w\-\[\]:,>*=\"'.#@\s()]{0,200}\{$")
CODE_COMMENT = re.compile(r"^/\*.*\*/$")
# A rule, or declarations, with what follows on the same line (a scraper that joins a
# style sheet's lines: "#top { padding: 3px; text-align: left; }").
CSS_RULE_START = re.compile(r"^[.#@:][^{};]{0,200}\{\s*-?[a-z]+(?:-[a-z]+)*\s*:")
CSS_DECLARATIONS = re.compile(r"^(?:\*?-?[a-z]+(?:-[a-z]+)*\s*:\s*[^;{}\s:][^;{}]{0,80};\s*){2}")
# Two rules of a style sheet on one line ("a{color:red;}.b{margin:0}"), minified.
CSS_RULE = re.compile(r"\{\s*-?[a-z\-]+\s*:[^{};]*[;}]")
# A script's use of the page itself (its document, window, trackers, structured data),
# not what a tutorial's code does (a function, a variable).
SCRIPT_MARKER = re.compile(
    r"\b(?:document|window)\.\w|getElementById|\bjQuery\(|[\"']@context[\"']\s*:"
    r"|\bdataLayer\b|\bgoogletag\b|\bgtag\(|\b_gaq\b|\bga\("
)
