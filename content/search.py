"""Answer officers' questions from the pack only: SQLite FTS5 with BM25 field weights, and a confidence
that means the same for a three-word question and a paragraph.

How a question is answered (docs/content.md explains it for coordinators):

1. **Wording.** The question and every card are folded the same way (`fold`, `normalise`): hot spot /
   hot-spot / hotspot, 15 / fifteen / a quarter of an hour, mins, sarge / skipper, scrotes, the nick /
   nick, patch, 999s, "round the corner" / "next street" (displacement)... A word the pack does not
   know is corrected when one letter away from one it does (cheap: a table of one-letter deletions).
2. **Ranking.** FTS5 ranks the cards by BM25 with field weights (title, myth, `also_asked`, body, topic
   words). Each way a card is asked (title, myth, every `also_asked`, its check question, its topic's
   name) is a row of its own; the rows FTS5 finds are re-scored by weighted Dice similarity with the
   question. A card scores its normalised BM25 plus its best phrasing; the best `TOPIC_K` cards vote for
   a topic, a topic's second card counting half. A question that is, near enough, one of a card's own
   phrasings goes to that card.
3. **Confidence** in [0, 1]: how much of the question the chosen card explains. A content word weighs
   0.5 (in every card) to 1.5 (in one), an everyday word 0.3, a word no card has 0.7, and an off-topic
   word (leave, overtime, pay, password, court, football...) 3. Unexplained weight counts in full while
   small and saturates at `UNEXPLAINED_CAP`, so a long question is judged on what it shares with the
   card, not on its length. The card must explain at least one word that is not an everyday one; a
   question whose off-topic words outweigh what the card explains is halved; and off-topic words never
   count as explained ("can I get overtime" is not a question about the card that mentions overtime).
   Below `THRESHOLD` the bot says it does not know, never a near miss.

The constants were tuned on the benchmark's dev split only (bench/README.md); `Index.explain` shows the
parts of one question's score.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from content.model import Card, Pack
from content.topics import topic_title

# Field weights for bm25(), in column order: title, myth, also_asked, body, topic words.
FIELDS = ("title", "myth", "also_asked", "body", "topic")
WEIGHTS = (6.0, 4.0, 8.0, 1.0, 3.0)
THRESHOLD = 0.5              # answer at or above this confidence
UNEXPLAINED_CAP = 3.0        # unexplained words saturate at about three words' weight
UNKNOWN_WEIGHT = 0.7         # a word no card contains
OFF_TOPIC_WEIGHT = 3.0       # leave, pay, IT, courts, football... when the card does not contain it
OFF_TOPIC_PENALTY = 0.5      # and the confidence is halved...
OFF_TOPIC_MARGIN = 2.5       # ...unless the card explains this much weight per off-topic word
GENERIC_WEIGHT = 0.3         # everyday words: work, day, time, new, best...
MIN_SOLID = 0.5              # the card must explain at least one word that is not an everyday one
WEIGHT_FLOOR = 0.5           # weight of a word every card contains; a word in one card weighs 1.5
CARD_K = 8                   # cards ranked by FTS5
PHRASE_K = 40                # phrasings ranked by FTS5, then re-scored
PHRASE_WEIGHT = 1.5          # phrasing similarity against normalised card BM25
TOPIC_K = 3                  # best cards that vote for a topic
TOPIC_DECAY = 0.5            # a topic's second card counts half, its third a quarter
KNOWN_PHRASING = 0.75        # similarity at which a question "is" one of a card's phrasings...
TELLING_WEIGHT = 0.7         # ...sharing at least one word rarer than this weight (in under ~a third of cards)
EXACT_PHRASING = 0.97        # similarity at which it is one of them, word for word
CORRECTED_CREDIT = 0.8       # a typo-corrected word explains a little less than a typed one
REPEAT_CAP = 3               # how many times a repeated word counts in ranking
MAX_QUESTION = 500

# -- wording ------------------------------------------------------------------------------------------
STOPWORDS = frozenset(
    """a about above after again against all am an and any anyone anything are as at be because been before being
    below between both but by can could did do does doing done down during each either else ever every few for from
    further had has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our ours out over own same she should so some someone something
    such than that the their them then there these they this those through to too under until up upon very was we
    were what whats when where which while who whom whose why will with would you your yours yourself
    yeah yes ok okay please tell anybody really actually thing things get gets got go goes going
    bit lot lots mate like even still us im ive dont cant wont isnt arent doesnt didnt wasnt werent shouldnt
    wouldnt couldnt whats thats theres youre id ill ya u r tbh honestly right quick question mean means meant
    supposed literally surely reckon reckons kind sort basically oh hey hi cheers thanks also much many way
    one ones sure maybe though anyway guess think thinks let lets say said says told feel feels stuff anything
    something everything everyone somebody whole mostly totally pretty quite bloody don didn doesn isn wasn weren
    wouldn shouldn couldn haven hasn hadn aren won""".split()
)

# Words officers use for things the pack does not cover. They weigh most when a card does not contain them,
# so "how do I book annual leave" is refused even though "leave" appears in a card about suppression.
_OFF_TOPIC_WORDS = (
    # pay, leave and personnel
    """annualleave restday adminrequest overtime toil payslip salary pension pay paid payrise wage wages bonus
    allowance expense expenses mileage claim claims sickness absence maternity paternity promotion promotions exam
    exams appraisal pdr secondment vetting grievance hr federation fed union retirement retire swap swaps roster
    """
    # IT and kit
    """password passwords login logon laptop printer email emails outlook wifihotspot vpn wifi niche storm pnc
    athena pronto helpdesk ict tablet boots uniform stores locker shower canteen lunch food brew coffee tea gym
    carpark poolcar heating toilet lostproperty rota rotas battery batteries charger bodycam permit permits
    licence license renew renewal system systems breath breathalyser trainers tattoo tattoos beard
    """
    # courts, custody and procedure outside this training
    """court courts custody prisoner prisoners detainee detainees mg11 cps bail warrant warrants pace caution
    charge charging taser course courses refresher firstaid
    """
    # sport, weather and social
    """football rugby cricket match fixture league weather rain raining snow forecast christmas birthday party
    quiz"""
).split()

# Ways officers write the same thing, rewritten to one spelling in both cards and questions.
# Order matters: the out-of-scope senses of pack words are folded away first.
_FOLDS: tuple[tuple[str, str], ...] = (
    (r"\b(?:mobile|wi-?fi|phone|personal|work phone)\s+hot[\s-]*spots?\b"
     r"|\bhot[\s-]*spots?\s+on\s+(?:my|the|your|a)\s+(?:work\s+)?(?:phone|mobile|laptop|tablet)\b", " wifihotspot "),
    (r"\b(?:annual|sick|maternity|paternity|parental|study|compassionate|special)\s+leave\b"
     r"|\bdays?\s+(?:of\s+)?leave\b|\bleave\s+(?:request|form|card|entitlement|balance|allowance)s?\b"
     r"|\b(?:on|book|booking|booked|carry|carried|request|cancel|cancelled)\s+(?:some\s+|my\s+|over\s+)?leave\b",
     " annualleave "),
    (r"\brest\s+days?\b|\brds\b", " restday "),
    (r"\b(?:when|whens|when\s+is|when\s+will)\s+(?:my|the\s+next|our\s+next)\b|\b(?:who|whos|who\s+is)\s+the\s+duty\b"
     r"|\bwho\s+(?:do|should|can)\s+i\s+(?:see|ring|call|ask|speak\s+to|contact|report\s+\w+\s+to|email)\b"
     r"|\bhow\s+do\s+i\s+(?:book|claim|apply|reset|request|submit|fill\s+in|log\s+in|sign\s+up)\b"
     r"|\bwhere\s+do\s+i\s+(?:get|find|park|book|collect)\b|\bcan\s+i\s+(?:swap|carry|book|claim|take\s+leave)\b"
     r"|\bis\s+it\s+going\s+to\s+(?:rain|snow|chuck)\b|\bchuck\s+it\s+down\b"
     r"|\bcan\s+i\s+(?:get|have|claim|use|park|wear|bring)\b|\b(?:cover|swap)\s+(?:my|me|for\s+me)\b|\b(?:am|are)\s+(?:i|we)\s+(?:entitled|allowed|owed)\b"
     r"|\bwhen\s+(?:is|does|will|do|are)\s+(?:the|my|our)\s+(?:new\s+|next\s+)?\w+(?:\s+\w+)?\s+"
     r"(?:out|due|published|start|starting|open|opening|close|closing|back|fixed|sorted|ready)\b"
     r"|\bwhere\s+(?:do|can|should)\s+i\s+(?:hand|put|drop|go\s+for)\b"
     r"|\bwhat\s+time\s+(?:does|do|is)\s+(?:the\s+)?\w+\s+(?:open|close|start|finish)", " adminrequest "),
    (r"\bpool\s+cars?\b", " poolcar "),
    (r"\bcar\s*park(?:s|ing)?\b|\bparking\b", " carpark "),
    (r"\blost\s+property\b", " lostproperty "),
    (r"\bbody[\s-]*(?:worn|cams?|cameras?)\b|\bbwv\b", " bodycam "),
    (r"\bshift\s+(?:patterns?|swaps?|changes?)\b|\bduty\s+(?:sheets?|rosters?)\b", " rota "),
    (r"\bfirst\s+aid\b", " firstaid "),
    (r"\bpay\s+rise\b", " payrise "),
    (r"\b(?:the|at the|back at the|to the|in the|from the|round the)\s+nick\b", " station "),
    (r"\bnick(?:ed|ing|s)?\b", " arrest "),
    (r"\bhot[\s-]*spots?\s+polic\w*|\bhsp\b", " hsp "),
    (r"\bhot[\s-]*spot(?:s|ting)?\b", " hotspot "),
    (r"\bquarter\s+of\s+an\s+hour\b", " 15 minute "),
    (r"\bhalf\s+(?:an\s+)?hour\b", " 30 minute "),
    (r"\b(\d+)\s*(mins?|minutes?|hrs?|hours?)\b", r" \1 \2 "),
    (r"\b(\d+)\s*(?:m|metres?|meters?)\b", r" \1 metre "),
    (r"\b(\d+)\s*(?:%|per\s*cent)", r" \1 percent "),
    (r"\bfifteen\b", " 15 "), (r"\bten\b", " 10 "), (r"\bfive\b", " 5 "), (r"\btwenty\b", " 20 "),
    (r"\bthirty\b", " 30 "), (r"\bthree\b", " 3 "),
    (r"\bmins?\b|\bminutes?\b", " minute "),
    (r"\bhrs?\b|\bhours?\b", " hour "),
    (r"\byrs?\b", " year "),
    (r"\bhow\s+long\b", " howlong "),
    (r"\bhowlong\b(?=(?:\s+\w+){0,6}?\s+(?:stay|stand|spend|remain|patrol|visit|be\s+there)\b)", " howlong 15 minute "),
    (r"\bstay(?:s|ed|ing)?\s+down\b|\bkeeps?\s+(?:it\s+|crime\s+)?down\b|\blasting\b|\bcarry[\s-]*over\b|\bresidual\b",
     " residual "),
    (r"\bwhat\s+(?:actually\s+)?(?:counts|qualifies)\s+as\b|\bwhat\s+makes\s+(?:somewhere|a\s+place|a\s+street)\b", " definition "),
    (r"\b(?:most|half|bulk|majority)\s+of\s+(?:the\s+|all\s+)?(?:crime|violence|calls|incidents)\b"
     r"|\bpercent\s+of\s+(?:the\s+|all\s+)?(?:streets|places|addresses|locations|roads)\b", " concentrated "),
    (r"\bscared\b|\bfear(?:s|ed|ful)?\b|\bafraid\b|\bfrightened\b|\bintimidat\w*", " fear "),
    (r"\bpolite\w*|\bnice\b|\bcourteous\w*|\brespectful\w*|\bfairly\b", " fair "),
    (r"\b(?:no|haven|not\s+got|never\s+have|dont\s+have|don)\s+(?:got\s+)?(?:the\s+)?(?:spare\s+)?(?:time|capacity)\b"
     r"|\bcapacity\b|\bshort[\s-]*staffed\b|\bstretched\b|\bon\s+(?:their|our)\s+knees\b", " notime "),
    (r"\bhow\s+(?:often|many\s+times|many\s+visits|frequently)\b", " howoften "),
    (r"\bhow\s+(?:big|small|large)\b|\bsizes?\b", " size "),
    (r"\bwhat\s+(?:am|are|do|should|must|is|shall)\s+(?:i|we|you|officers?)\s+(?:(?:actually|meant|supposed|expected)\s+){0,2}"
     r"(?:have\s+|need\s+)?(?:to\s+)?(?:actually\s+)?do\b|\bwhat\s+to\s+(?:actually\s+)?do\b|\bnow\s+what\b|\btips\b", " whattodo "),
    (r"\bwhat\s+(?:should|am|are|do|must)\s+(?:i|we|you)\s+(?:actually\s+)?(?:be\s+)?doing\b", " whattodo "),
    (r"\bwhat\s+(?:do|should|can|shall|would)\s+(?:i|we|you)\s+(?:say|tell|explain)\b|\bwhat\s+to\s+(?:say|tell)\b",
     " whattosay "),
    (r"\bstands?\s+for\b|\bdefin\w*|\bin\s+(?:plain\s+english|a\s+nutshell|one\s+sentence|a\s+sentence)\b"
     r"|\bwhen\s+it'?s?\s+at\s+home\b|\bexplain(?:ed)?\s+simply\b|\bsimple\s+terms\b|\bsimply\s+put\b|\bbasic\s+idea\b|\bwhat\s+(?:is|s)\s+(?=hsp\b)", " definition "),
    (r"\b999s?\b|\b911\b|\bemergency calls?\b", " 999 call "),
    (r"\bjobs\b", " calls "),
    (r"\bpcsos?\b|\bcommunity support officers?\b", " pcso "),
    (r"\bsgts?\b|\bsarge\b|\bskippers?\b|\bsergeants?\b", " sergeant "),
    (r"\binsps?\b|\bguv(?:nor)?s?\b|\binspectors?\b", " inspector "),
    (r"\bpcs\b|\bpc\b|\bconstables?\b", " constable "),
    (r"\bcops\b|\bcoppers?\b|\bbobb(?:y|ies)\b|\bplod\b", " officer "),
    (r"\b(sergeant|inspector|pcso|constable|officer|leader|supervisor)s?\s+(?:job|part|bit|role|duties)\b"
     r"|\b(?:whose|my|our|their|his|her)\s+(?:job|part|bit|role|responsibilit\w*)\b", r" \1 role "),
    (r"\bscrotes?\b|\btoe-?rags?\b|\bscumbags?\b|\bcrims\b|\bbaddies\b|\bcriminals?\b|\bvillains?\b"
     r"|\bwrong[\s']*uns?\b|\bnominals?\b|\boffenders?\b", " offender "),
    (r"\b(my|our|this|the|next|your|own)\s+(?:beat|manor|ground)\b", r" \1 patch "),
    (r"\b(?:a)?round\s+the\s+corner\b|\bnext\s+street\b|\bstreets?\s+over\b|\bsomewhere\s+else\b|\belsewhere\b"
     r"|\bballoon\b|\bnext\s+door\b|\bdisplac\w*|\b(?:a)?round\s+the\s+(?:hotspot|area|edge)\b|\bsurrounding\b"
     r"|\bnearby\b|\bbuffers?\b|\bnext\s+to\s+the\s+hotspot\b|\bstreets?\s+(?:next\s+to|around|near|beside)\b|\bset\s+up\s+(?:shop\s+)?(?:on|in|at)\b|\bnext\s+one\b", " displace "),
    (r"\bdrive[\s-]*(?:by|bys|through|thru|past|pasts)\b|\bdriv(?:e|ing)\s+(?:past|through)\b", " drivethrough "),
    (r"\bhi(?:gh)?[\s-]*vis(?:ibility)?\b|\byellow\s+jackets?\b", " hivis "),
    (r"\bstop\s*(?:and|&|-)?\s*search(?:es|ed|ing)?\b|\bs\s*&\s*s\b|\bstop\s+and\s+account\b", " stopsearch "),
    (r"\bzero[\s-]+tolerance\b", " zerotolerance "),
    (r"\bprocedural(?:ly)?\s+just(?:ice)?\b|\bpj\b", " proceduraljustice "),
    (r"\bover[\s-]*polic\w*", " overpolicing "),
    (r"\bstigma\w*|\blabel\w*|\bprofil\w*|\btarget(?:ing|ed|s)?\s+(?:them|us|people|the\s+locals|locals|kids)\b"
     r"|\bsingl(?:ed|ing)\s+out\b|\bvictimis\w*"
     r"|\bpick(?:ing|ed|s)?\s+on\s+(?:them|us|their|people|kids|young|locals|the\s+(?:same\s+)?(?:kids|lads|people|estate))\b|\bunder\s+siege\b|\bharass\w*", " pickon "),
    (r"\b(?:kick|kicks|kicked|kicking|goes|going|went)\s+off\b", " trouble "),
    (r"\bgut(?:\s+feel(?:ing)?s?)?\b|\binstincts?\b|\bhunch(?:es)?\b|\bintuition\b|\bnous\b", " judgement "),
    (r"\bjudgment\b", " judgement "),
    (r"\bknow(?:s|n|ing|ledge)?\b|\bknew\b", " know "),
    (r"\b\d+\s+(?:year|years|yrs?)\s+(?:in|on|of\s+(?:policing|service|experience))\b"
     r"|\b(?:for|been|done|over|policed)\s+(?:\w+\s+){0,3}\d+\s+(?:year|years|yrs?)\b|\bdecades?\b", " experience "),
    (r"\bhow\s+(?:good|accurate|well)\s+(?:are|is|do)\b", " accurate "),
    (r"\bcomputers?\b|\balgorithms?\b|\bspreadsheets?\b|\bstats\b|\bstatistics\b", " data "),
    (r"\banalys(?:t|ts|is|es)\b|\bcrime\s+analysis\b", " analyst "),
    (r"\byanks?\b|\bamerican?\b|\bthe\s+us\b|\busa\b|\bthe\s+states\b", " america "),
    (r"\bbritain\b|\bbritish\b|\bengland\b|\benglish\b|\bover\s+here\b|\bthis\s+country\b|\bwales\b", " uk "),
    (r"\brcts?\b|\brandomi[sz]ed(?:\s+controlled)?\b", " randomised trial "),
    (r"\bresearch\w*|\bstud(?:y|ies)\b|\bproof\b|\bproven\b", " evidence "),
    (r"\bcrack\s*down\b|\bcrack\s+heads\b", " crackdown "),
    (r"\b(?:still|stay|stays|remain|remains)\s+(?:be\s+)?the\s+same\b|\bstays?\s+put\b|\bmoves?\s+(?:about|around)\b",
     " stayput "),
    (r"\beverywhere\b|\ball\s+over\b|\bspread\s+(?:out|evenly|about)\b|\bhandful\s+of\b"
     r"|\bfew\s+(?:streets|places|spots|addresses|locations|roads|corners)\b", " concentrated "),
    (r"\b(?:go|goes|move|moves|went|moved)\s+(?:to|on\s+to|onto)\s+the\s+next\b"
     r"|\bnext\s+(?:estate|street|area|patch|town|block|road)\b", " displace "),
    (r"\bdruggies\b|\bjunkies\b|\bsmackheads\b|\bdealers?\b|\byobs\b", " offender "),
    (r"\breduc\w*|\bcuts?\b|\bcutting\b", " cut "),
    (r"\bhow\s+much\b(?!\s+time)|\bwhat\s+percentage\b|\bhow\s+many\s+percent\b", " howmuch "),
    # Words officers use for what the cards call something else.
    (r"\beffective\w*|\bsuccess\w*|\bimpact\w*", " work effect "),
    (r"\b(?:give|show|send|point)\s+me\b", " show "),
    (r"\bquot(?:e|es|ed|ing)\b|\bcite\b|\bpapers?\b|\bjournals?\b|\breferences?\b", " evidence "),
    (r"\brural\b|\bcountryside\b|\bvillages?\b|\bmarket\s+towns?\b|\bsmall\s+towns?\b", " town "),
    (r"\bbosses\b|\b(?:top\s+)?brass\b|\bchief\s+supers?\b|\bsuperintendents?\b|\bsupts?\b|\bchief\s+constables?\b"
     r"|\bcommand\s+team\b|\bsenior\s+(?:officers?|management|managers?|leaders?|leadership)\b|\bacc\b|\bdcc\b",
     " senior leader "),
    (r"\bnpt\b|\bsnt\b|\bneighbourhood\s+(?:team|policing|officers?)\b", " neighbourhood "),
    (r"\btrack(?:ing|ed|er|ers)?\b|\bavls?\b|\bbig\s+brother\b|\bmonitor(?:ed|ing|s)?\b", " track gps "),
    (r"\bhang(?:ing)?\s+(?:about|around)\b|\bloiter\w*|\bstand(?:ing)?\s+(?:about|around)\b|\bmooch\w*"
     r"|\bstood\s+(?:about|around)\b", " stand "),
    (r"\b(?:be|being|get|getting)\s+(?:yourselves\s+|ourselves\s+)?seen\b|\bvisibility\b|\bvisible\b", " visible "),
    (r"\bdeter(?:s|red|ring|rent|rents|rence)?\b|\bputs?\s+(?:them\s+|people\s+)?off\b|\bscares?\s+(?:them\s+)?off\b",
     " deterrence "),
    (r"\bclust\w*|\bclump\w*|\bbunch\w*|\bconcentrat\w*", " concentrated "),
    (r"\bchoos(?:e|es|ing)\b|\bchosen\b|\bchose\b|\bselect(?:s|ed|ing|ion)?\b|\bidentif(?:y|ies|ied|ying|ication)\b",
     " pick "),
    (r"\bworried\b|\bnervous\b", " fear "),
    (r"\blegitimacy\b|\bconfidence\s+in\s+(?:the\s+)?police\b|\brelations(?:hips?)?\b", " trust "),
    (r"\byoung\s+(?:people|lads|men|uns)\b|\byouths?\b|\bteenagers?\b|\blads\b|\byoungsters\b|\bkids\b", " kid "),
    (r"\bheavy[\s-]*handed\b", " overpolicing "),
    (r"\bproblem[\s-]*(?:solving|oriented|orientated)\b|\broot\s+causes?\b|\bunderlying\s+(?:problem|cause)s?\b",
     " problem "),
    (r"\bon\s+foot\b|\bwalk(?:ing)?\s+(?:about|around|round)\b", " foot patrol "),
    (r"\b(?:in|from)\s+the\s+(?:car|van|motor|vehicle)\b", " car "),
    (r"\bin\s+a\s+row\b|\bback\s+to\s+back\b|\bconsecutive(?:ly)?\b|\bdays?\s+running\b", " consecutive row "),
    (r"\bbuzzwords?\b|\bgimmicks?\b|\bflavour\s+of\s+the\s+month\b|\bfashion\w*", " fad initiative "),
    (r"\bbacklog\b|\bstack(?:ing|ed|s)?\s+up\b|\bqueues?\b|\bqueued\b", " queue call "),
    (r"\bpull(?:ed|ing|s)?\s+(?:us\s+|me\s+|them\s+)?off\b|\bcalled\s+away\b|\bdiverted\b|\babstract\w*", " pull call "),
    (r"\bflood\w*|\bsaturat\w*|\bswamp\w*|\bthrow\w*\s+(?:every|all|loads)\b", " saturation "),
    (r"\bfad(?:e|es|ed|ing)\b|\bdecay(?:s|ed|ing)?\b|\bw(?:ear|ears|ore|earing)\s+off\b", " wearoff "),
    (r"\bcom(?:e|es|ing)\s+back\b|\bcame\s+back\b|\b(?:creep|drift|bounce)(?:s|ed|ing)?\s+back\b", " comeback "),
    (r"\btomorrow\b|\bnext\s+day\b|\bother\s+\d+\s+hour\b|\bwhen\s+we\s*(?:re|are)\s+not\s+there\b"
     r"|\b(?:after|once|when|as\s+soon\s+as)\s+(?:we|you|i|officers?)\s*(?:ve|have)?\s+"
     r"(?:leave|left|gone|go|walk\s+off|walk\s+away|drive\s+off|drive\s+away|pull\s+away|move\s+on)\b",
     " afterleave "),
    (r"\bsame\s+times?\b|\bmix(?:ing)?\s+(?:it\s+|them\s+)?up\b|\bvary\b|\bvarying\b|\bunpredictabl\w*|\bpredictabl\w*"
     r"|\brandom(?:ly)?\s+times?\b", " unpredictable "),
    (r"\bshopkeepers?\b|\bcorner\s+shop\b|\bshop\s+owners?\b|\bresidents?\b|\bmembers?\s+of\s+the\s+public\b"
     r"", " resident "),
)
FOLDS = tuple((re.compile(pattern), replacement) for pattern, replacement in _FOLDS)
_CONTRACTION = re.compile(r"'(?:s|t|re|ve|ll|d|m)\b")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case `text` with officers' variants rewritten to the pack's spelling."""
    folded = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    folded = _CONTRACTION.sub("", folded)
    for pattern, replacement in FOLDS:
        folded = pattern.sub(replacement, folded)
    return folded


def stem(word: str) -> str:
    """A small suffix stripper: enough that patrol/patrols/patrolling and displace/displaced meet."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ments", "ment", "ingly", "ing", "edly", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def normalise(text: str) -> list[str]:
    """The content terms of `text`: folded, stopwords removed, stemmed."""
    return [stem(word) for word in _WORD.findall(fold(text)) if word not in STOPWORDS and (len(word) > 1 or word.isdigit())]


OFF_TOPIC = frozenset(stem(word) for word in _OFF_TOPIC_WORDS)

# Everyday words that say little about which card is meant (or whether any is): they weigh GENERIC_WEIGHT,
# so "can I work from home" does not ride on "work" and "home" alone.
GENERIC = frozenset(stem(word) for word in """
    work works worked working home day days time times week weeks month months year years new old good bad best
    better worse big small little long short next last first second third change changes changed pattern people
    person place places thing stuff way use used using need needs want wants look looking see seen come coming
    came take taking give giving find found keep kept put make makes made making help helps number lot part point
    spare near nearby sure true real right wrong happen happens happened happening start started end ended open
    close full half whole area areas station""".split())


# -- answers ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    answered: bool
    card: Card | None  # the best card, even when refused (the near miss is kept out of as_json)
    score: float       # the confidence in [0, 1]; answered when it reaches the index's threshold
    query: str

    def as_json(self) -> dict[str, object]:
        card = self.card if self.answered else None
        return {
            "answered": self.answered,
            "topic": card.topic if card else None,
            "card": card.id if card else None,
            "title": card.title if card else None,
            "text": card.body if card else None,
            "sources": [
                {"authors": s.authors, "year": s.year, "title": s.title, "published_in": s.published_in, "url": s.url}
                for s in card.sources
            ]
            if card
            else [],
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class Evidence:
    """Why a question got the card and confidence it did: for the benchmark and for debugging a miss."""

    terms: tuple[str, ...]   # the question's content words after folding, stemming and typo fixes
    card: str | None         # the best card of the chosen topic
    topic: str | None
    coverage: float          # share of the question's word weight the card contains
    explained: float         # that weight
    total: float             # the question's whole word weight
    agreement: float         # share of the top cards' vote that went to the chosen topic
    confidence: float

    @classmethod
    def nothing(cls, terms: tuple[str, ...]) -> Evidence:
        return cls(terms, None, None, 0.0, 0.0, 0.0, 0.0, 0.0)


class Index:
    """An in-memory FTS5 index of one pack; build once at start-up, then `answer()` many times."""

    def __init__(self, pack: Pack, threshold: float = THRESHOLD) -> None:
        self.pack = pack
        self.threshold = threshold
        self._cards = {c.id: c for c in pack.cards}
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE cards USING fts5(card_id UNINDEXED, title, myth, also_asked, body, topic,"
            " tokenize = 'unicode61')"
        )
        # One row per way a card is asked: a short question matches a short phrasing better than a card.
        self._db.execute("CREATE VIRTUAL TABLE phrases USING fts5(card_id UNINDEXED, text, tokenize = 'unicode61')")
        self._terms: dict[str, frozenset[str]] = {}
        self._phrases: list[tuple[str, frozenset[str]]] = []
        frequency: dict[str, int] = defaultdict(int)
        for card in pack.cards:
            fields = [
                card.title,
                card.myth or "",
                " . ".join(card.also_asked),
                f"{card.body} {card.check.question} {card.say_to_public}",
                f"{card.topic.replace('-', ' ')} {topic_title(card.topic)}",
            ]
            normalised = [" ".join(normalise(f)) for f in fields]
            self._terms[card.id] = frozenset(" ".join(normalised).split())
            for term in self._terms[card.id]:
                frequency[term] += 1
            self._db.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)", (card.id, *normalised))
            for phrase in (card.title, card.myth or "", card.check.question, *card.also_asked):
                phrase_terms = normalise(phrase)
                if phrase_terms:
                    self._db.execute(
                        "INSERT INTO phrases (rowid, card_id, text) VALUES (?, ?, ?)",
                        (len(self._phrases), card.id, " ".join(phrase_terms)),
                    )
                    self._phrases.append((card.id, frozenset(phrase_terms)))
        count = max(len(pack.cards), 1)
        # The topic's own name is a phrasing of each of its cards ("what's displacement"), leaving out
        # words common to a third of the pack (hot spot, policing, evidence) that would name every topic.
        for card in pack.cards:
            name = frozenset(t for t in normalise(topic_title(card.topic)) if frequency[t] * 3 < count)
            if name:
                self._db.execute(
                    "INSERT INTO phrases (rowid, card_id, text) VALUES (?, ?, ?)",
                    (len(self._phrases), card.id, " ".join(sorted(name))),
                )
                self._phrases.append((card.id, name))
        self._weight = {
            t: WEIGHT_FLOOR + (1.5 - WEIGHT_FLOOR) * math.log(count / n) / math.log(count + 1)
            for t, n in frequency.items()
        }
        # Typos: every pack word and each of its one-letter deletions point back to the word.
        self._near: dict[str, str] = {}
        for term in sorted(frequency, key=lambda t: (-frequency[t], t)):
            if len(term) >= 4 and not term.isdigit():
                for variant in (term, *_deletions(term)):
                    self._near.setdefault(variant, term)

    def answer(self, question: str) -> Answer:
        """The best card for `question`, answered only when the confidence reaches the threshold."""
        evidence = self.explain(question)
        card = self._cards.get(evidence.card) if evidence.card else None
        return Answer(card is not None and evidence.confidence >= self.threshold, card, evidence.confidence, question)

    def explain(self, question: str) -> Evidence:
        """Score `question` against the pack: the chosen card, its topic and the confidence's parts."""
        words = [self._correct(word) for word in normalise(question[:MAX_QUESTION])]
        terms: dict[str, bool] = {}
        for term, corrected in words:
            terms.setdefault(term, corrected)
        if not any(t in self._weight for t in terms):
            return Evidence.nothing(tuple(terms))
        # A word the question repeats (often a folded idea: "round the corner... next street... elsewhere")
        # ranks up to REPEAT_CAP times: FTS5's bm25() adds up each phrase of the query.
        said = Counter(t for t, _ in words if t in self._weight)
        query = " OR ".join(f'"{t}"' for t, n in said.items() for _ in range(min(n, REPEAT_CAP)))
        card_rows = self._db.execute(
            "SELECT card_id, -bm25(cards, 0, ?, ?, ?, ?, ?) AS score FROM cards WHERE cards MATCH ?"
            " ORDER BY score DESC LIMIT ?",
            (*WEIGHTS, query, CARD_K),
        ).fetchall()
        if not card_rows:
            return Evidence.nothing(tuple(terms))
        phrasing, telling = self._phrase_similarity(query, set(terms))
        combined: dict[str, float] = defaultdict(float)
        best_bm25 = float(card_rows[0][1])
        for card_id, score in card_rows:
            combined[card_id] += float(score) / best_bm25
        for card_id, similarity in phrasing.items():
            combined[card_id] += PHRASE_WEIGHT * similarity
        ranked = sorted(combined.items(), key=lambda item: (-item[1], item[0]))
        votes: dict[str, float] = defaultdict(float)
        seen: dict[str, int] = defaultdict(int)
        for card_id, score in ranked[:TOPIC_K]:
            topic = self._cards[card_id].topic
            votes[topic] += score * TOPIC_DECAY ** seen[topic]
            seen[topic] += 1
        topic = max(votes.items(), key=lambda item: (item[1], item[0]))[0]
        agreement = votes[topic] / sum(votes.values())
        # The question is, near enough, one of a card's own phrasings (sharing a telling word), or exactly
        # one: that card answers it, even when the phrasing is as bare as "where are we meant to find the time".
        near = {c: v for c, v in telling.items() if v >= KNOWN_PHRASING}
        near.update({c: v for c, v in phrasing.items() if v >= EXACT_PHRASING})
        known_card, known = max(near.items(), key=lambda item: (item[1], combined[item[0]], item[0]), default=("", 0.0))
        if known:
            evidence = self._confidence(terms, known_card, agreement)
            if not any(t in OFF_TOPIC for t in terms):
                evidence = replace(evidence, confidence=max(evidence.confidence, known))
            return evidence
        card_id = next(c for c, _ in ranked if self._cards[c].topic == topic)
        return self._confidence(terms, card_id, agreement)

    def _correct(self, term: str) -> tuple[str, bool]:
        """The pack's spelling of a word one edit away from it (same first letter); (term, corrected?)."""
        if term in self._weight or term in OFF_TOPIC or len(term) < 6 or term.isdigit():
            return term, False
        for variant in (term, *_deletions(term)):
            known = self._near.get(variant)
            if known is not None and known[0] == term[0]:
                return known, True
        return term, False

    def _phrase_similarity(self, query: str, question: set[str]) -> tuple[dict[str, float], dict[str, float]]:
        """Per card, the best weighted Dice similarity between the question and one of its phrasings; and
        the same counting only phrasings that share a telling word (not "hot spot" or "people" alone)."""
        question_weight = sum(self._term_weight(t) for t in question)
        best: dict[str, float] = {}
        telling: dict[str, float] = {}
        for (rowid,) in self._db.execute(
            "SELECT rowid FROM phrases WHERE phrases MATCH ? ORDER BY bm25(phrases) LIMIT ?", (query, PHRASE_K)
        ):
            card_id, phrase = self._phrases[rowid]
            shared = sum(self._term_weight(t) for t in phrase & question)
            similarity = 2 * shared / (question_weight + sum(self._term_weight(t) for t in phrase))
            best[card_id] = max(best.get(card_id, 0.0), similarity)
            if any(self._term_weight(t) >= TELLING_WEIGHT for t in phrase & question):
                telling[card_id] = max(telling.get(card_id, 0.0), similarity)
        return best, telling

    def _confidence(self, terms: dict[str, bool], card_id: str, agreement: float) -> Evidence:
        card_terms = self._terms[card_id]
        total = explained = solid = 0.0
        for term, corrected in terms.items():
            if term in OFF_TOPIC and term in card_terms:
                # "overtime" or "park" in a card does not make a question about them a training question.
                total += self._weight[term]
                continue
            weight = self._term_weight(term)
            total += weight
            if term in card_terms:
                explained += weight * (CORRECTED_CREDIT if corrected else 1.0)
                solid += 0.0 if term in GENERIC else weight
        unexplained = UNEXPLAINED_CAP * (1 - math.exp(-(total - explained) / UNEXPLAINED_CAP))
        confidence = explained / (explained + unexplained) if solid >= MIN_SOLID else 0.0
        off_topic = sum(1 for t in terms if t in OFF_TOPIC and t not in card_terms)
        if off_topic and explained < OFF_TOPIC_MARGIN * off_topic:
            # It is about leave, pay, IT, courts... more than about anything the card says.
            confidence *= OFF_TOPIC_PENALTY
        return Evidence(tuple(terms), card_id, self._cards[card_id].topic, explained / total, explained, total,
                        agreement, confidence)

    def _term_weight(self, term: str) -> float:
        if term in OFF_TOPIC:
            return OFF_TOPIC_WEIGHT
        if term in GENERIC:
            return GENERIC_WEIGHT
        return self._weight.get(term, UNKNOWN_WEIGHT)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
