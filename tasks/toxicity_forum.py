"""Synthetic comment-thread sentences for the toxicity classifier: talk pages, video and forum comments.

Written for this project (no third-party text). Davidson's tweets teach profanity and slurs in tweet register; what
comment threads add is abuse aimed at the person one is arguing with (insults, harassment, threats, obscene abuse)
inside the same everyday talk about edits, sources and posts that makes up the clean comments. So the positives and
the hard negatives here share their setting (an edit dispute, a reply, a video), and only the attack on a person
decides the label: disagreement, blunt criticism of a text, moderators' warnings, self-deprecation ("stupid mistake
on my part") and a word quoted to discuss it stay clean.

Every sentence carries its template id (``forum_<kind>:<index>``, or ``forum_tail:<word>`` for the composed family),
and ``split_by_template`` in ``tasks.toxicity_phrases`` holds templates out whole, so held-out rows are phrasings the
model never saw. ``comments`` then joins sentences of ONE side of the split into multi-sentence comments (one
toxic sentence among clean ones is a toxic comment), the shape of a talk-page reply.
"""

from __future__ import annotations

import random

from tasks.toxicity_phrases import round_robin, vary

#: Second-person insults in an argument, without slurs.
INSULTS = [
    "You clearly can't read, so stop pretending you understand the sources.",
    "Are you too thick to follow a simple discussion?", "You are a pathetic little troll with nothing better to do.",
    "Nobody here takes you seriously, you clueless joke.", "Your brain must be the size of a pea.",
    "You're an ignorant fool and your edits prove it.", "What kind of idiot deletes a whole section without asking?",
    "You are the most dishonest, petty editor I have ever met.", "Grow a brain before you touch this article again.",
    "You are a sad, bitter little man hiding behind a keyboard.", "Pathetic. You are simply pathetic.",
    "You obviously failed school, it shows in every sentence you write.", "You're a joke and so is your talk page.",
    "Only a moron would cite a random blog as a source.", "You're a useless waste of space on this site.",
    "Congratulations, you are the dumbest person in this thread.", "You are a lying, sneaky little rat.",
    "You have the reading skills of a toddler.", "You are a power-tripping loser with a mop.",
    "Stop acting like an arrogant idiot and admit you were wrong, clown.",
]
#: Harassment: driving a person off, mocking them, piling on.
HARASS = [
    "Nobody wants you here, go away and never come back.", "Everyone in this thread is laughing at you.",
    "I will revert every edit you make until you quit, loser.", "Crawl back to whatever hole you came from.",
    "Go cry to your mommy, little boy.", "Get lost, nobody asked for your worthless opinion.",
    "You should just quit the internet, you embarrass yourself every day.",
    "Keep whining, it makes you look even more pathetic.", "Run along now, the adults are talking.",
    "I am going to follow you to every page you edit and make your life miserable.",
    "Do everyone a favour and delete your account.", "Go outside and get a life, freak.",
]
#: Threats and wishes of harm against the person.
THREATS = [
    "I will find out where you live and make you pay for this.", "You'd better watch your back from now on.",
    "Someone should beat some sense into you.", "Keep talking and see what happens to you.",
    "I hope you get hit by a bus on your way home.", "If I ever meet you I will smash your face in.",
    "You deserve a good beating for what you wrote.", "I am going to hurt you and nobody will stop me.",
    "People like you should be put down like dogs.", "I swear I will make you regret the day you were born.",
    "You will not be so brave when I show up at your door.", "Go jump off a bridge.",
]
#: Obscene abuse: profanity aimed at the person.
OBSCENE = [
    "Fuck off and leave my edits alone.", "You are a fucking idiot.", "Go fuck yourself, you prick.",
    "Shut your damn mouth, you piece of shit.", "Eat shit and die.", "What a stupid asshole you are.",
    "Stop deleting my work, you dumb bastard.", "You are a worthless sack of crap.", "Suck it, loser.",
    "Kiss my ass, you sanctimonious jerk.", "Get your head out of your ass and read the sources.",
    "Piss off, nobody cares what you think.", "You are full of shit and you know it.",
    "Screw you and your stupid rules.", "This admin is a total dickhead.",
]
#: Edit disputes and moderation, worded as clean talk-page text (including warnings to a person).
DISPUTE = [
    "I have undone your edit because the source does not say that.", "Please discuss large removals here first.",
    "I reverted the change; feel free to raise it on the talk page.", "Your edit removed three sourced sentences.",
    "This is your last warning: the next time you add unsourced claims you may be blocked from editing.",
    "You have been blocked for 24 hours for edit warring.", "Please stop adding your own opinions to the article.",
    "I think you are mistaken, the book was published in 1987.", "We disagree, so let's ask for a third opinion.",
    "The section you added reads like original research.", "Can you give a page number for that quote?",
    "Reverted vandalism by an anonymous user.", "Someone keeps inserting nonsense into the first paragraph.",
    "I am not going to argue about this any further; the consensus is clear.",
    "You removed the image again without explaining why.", "Please assume good faith and keep your comments civil.",
    "This template was nominated for deletion.", "The citation is broken, could someone fix the link?",
    "I don't think this article meets the notability guideline.", "You are right, I misread the table.",
]
#: Blunt criticism of a text, an idea or a thing, not of a person.
CRITICISM = [
    "This paragraph is badly written and needs a rewrite.", "Your argument is weak and the numbers do not add up.",
    "Honestly, this is the worst explanation of the topic I have read.", "The intro is a mess of jargon.",
    "That theory is nonsense and the evidence is against it.", "This video is way too long and says nothing new.",
    "The comments on this post are a disaster.", "The new layout is ugly and confusing.",
    "The sequel was a stupid, lazy cash grab.", "I hate how this game treats new players.",
    "This is a terrible source and should not be cited.", "Boring list of facts, no analysis at all.",
    "This song is overrated garbage in my opinion.", "The plot makes no sense and the ending is dumb.",
]
#: Words like idiot, stupid, kill used without attacking anyone: quoted, about oneself, in another sense.
BENIGN = [
    "The word 'idiot' once meant a private citizen in Greek.", "Is calling someone a 'troll' a personal attack?",
    "The article should explain where the insult 'moron' came from.", "Stupid mistake on my part, sorry about that.",
    "I was an idiot and forgot to add the citation.", "My bad, dumb typo, fixed now.",
    "I could kill for a coffee right now.", "This guitar solo absolutely kills.", "That goal was sick, what a player.",
    "Damn, this recipe is good.", "Hell yes, they finally fixed the bug.", "The villain is a nasty piece of work.",
    "The list of insults in the play is hilarious.", "He called me a genius, which was kind of him.",
    "Sorry if I sounded rude earlier, I was tired.", "I feel dumb for asking, but how do I upload a photo?",
    "The character dies in a fire at the end of the book.", "Our cat is a little monster at night.",
]
#: Friendly comments: thanks, welcomes, questions, praise.
FRIENDLY = [
    "Thanks for fixing the references, great work.", "Welcome to the project, let me know if you need help.",
    "This video helped me pass my exam, thank you.", "Great photo, where was it taken?",
    "I learned a lot from this thread.", "Could someone explain the second diagram?", "Love this channel, keep it up.",
    "This takes me back to my childhood.", "Happy to help with the copy edit this weekend.",
    "Good catch on the dates, I had them mixed up.", "Interesting point, I had not thought of that.",
    "Subscribed, the editing is really good.", "I agree with the proposed merge.",
]
#: Composed family: a setting shared by both labels + a tail that decides (the template id is the tail).
SETTINGS = ["Stop reverting my edits", "Read the sources", "I fixed the date again", "Look at the page history",
            "That is the third time you have removed it", "Check the talk page archive", "Nice video",
            "Your comment makes no sense", "I already answered that above", "The ref is in the second paragraph",
            "You changed the spelling back", "This thread is going in circles"]
TOXIC_TAILS = ["you brainless idiot", "you pathetic excuse for an editor", "or I will make your life hell",
               "and then go fuck yourself", "you illiterate moron", "you lying sack of garbage",
               "you miserable little troll", "dumbass", "you stupid cow", "you spineless coward",
               "you halfwit", "or get out of here, loser", "you absolute tool", "you self-important prick",
               "and shut your stupid mouth", "you ignorant clown"]
CLEAN_TAILS = ["please", "before you change it again", "and tell me what you think", "thanks",
               "so we can settle this", "if you have a minute", "and you will see the problem",
               "then we can discuss it", "I think you missed it", "so I am asking for help",
               "and let me know if I got it wrong", "cheers", "as a reminder", "my friend",
               "for the record", "to be fair"]
OPENERS = ["", "", "", "Wow, ", "Seriously, ", "Hey {name}, ", "{name}: ", "Listen, ", "OK so ", "Again, ", "Um, ",
           "Look, ", "Well, "]
NAMES = ["Mike", "Sarah", "Dave", "Priya", "Tom", "Anna", "Jim", "Leo", "Kate", "Omar", "Wei", "Raj", "admin"]

KINDS = {"toxic": {"insult": INSULTS, "harass": HARASS, "threat": THREATS, "obscene": OBSCENE},
         "clean": {"dispute": DISPUTE, "criticism": CRITICISM, "benign": BENIGN, "friendly": FRIENDLY}}


def templates() -> list[tuple[str, str, str]]:
    """Every template as (label, template id, text); composed ones have an empty text."""
    out = [(label, f"forum_{kind}:{i}", t) for label, kinds in KINDS.items() for kind, ts in kinds.items()
           for i, t in enumerate(ts)]
    out += [("toxic", f"forum_tail:{w}", "") for w in TOXIC_TAILS]
    out += [("clean", f"forum_tail:{w}", "") for w in CLEAN_TAILS]
    return out


def _surface(rng: random.Random, text: str) -> str:
    """Comment-thread surface: often lower-case, loose final punctuation, sometimes shouted."""
    return vary(rng, text, lower=0.4, upper=0.45, punct=0.25, endings=("", "!", "!!!", " ...", "?!"))


def _sentence(rng: random.Random, tid: str, text: str) -> str:
    if not text:
        word = tid.split(":", 1)[1]
        text = f"{rng.choice(SETTINGS)}{rng.choice([', ', ' ', '. '])}{word}."
    opener = rng.choice(OPENERS).replace("{name}", rng.choice(NAMES))
    if opener and not opener.endswith(": ") and not text.startswith("I "):
        text = text[0].lower() + text[1:]
    text = opener + text
    return _surface(rng, text[:1].upper() + text[1:])


def generate(n_per_label: int = 3000, seed: int = 11) -> list[tuple[str, str, str]]:
    """``n_per_label`` single sentences per label as (label, template id, text), every template used evenly."""
    rng = random.Random(seed)
    out: list[tuple[str, str, str]] = []
    for label, tid, text in round_robin(templates(), n_per_label):
        out.append((label, tid, _sentence(rng, tid, text)))
    rng.shuffle(out)
    return out


def comments(rows: list[tuple[str, str, str]], share: float, seed: int) -> list[tuple[str, str, str]]:
    """Join about ``share`` of ``rows`` with one or two clean sentences of ``rows`` into multi-sentence comments.

    Only sentences of the given rows are used, so a comment built from one side of a template split never holds a
    sentence of the other side. The label is the main sentence's (clean sentences added to a toxic one leave it
    toxic); the template id stays the main sentence's.
    """
    rng = random.Random(seed)
    clean = [text for label, _, text in rows if label == "clean"]
    out = []
    for label, tid, text in rows:
        if clean and rng.random() < share:
            parts = [text] + rng.sample(clean, rng.choice((1, 1, 2)))
            rng.shuffle(parts)
            text = rng.choice([" ", "\n"]).join(parts)
        out.append((label, tid, text))
    return out
