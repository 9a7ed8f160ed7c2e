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


# Civil comment threads (stage v5): clean sentences only, generated and split on their own (``civil``), so the
# sentences above and their split stay byte for byte what the v4 model trained on. Each added toxic generator made
# the model flag more heated but civil comments; these are the hard negatives of that register, written for this
# project in new phrasings (none repeats a held-out template of ``dev_forum.txt``).
#: Civil disagreement: a firm "you are wrong" about a claim, an edit or a reading, without an attack on the person.
DISAGREE = [
    "I see it differently, and I think the second source is stronger.",
    "You have a point, but the dates still don't match.",
    "Respectfully, that is not what the report says on page two.",
    "I'm not convinced; the study had only forty people.", "We will have to agree to disagree on this one.",
    "Your reading of the law is wrong, in my view, and here is the clause.",
    "That is simply not true, the figures were revised in March.",
    "I think you are overstating the case quite a bit.", "Hard disagree. The old version was clearer.",
    "No, the match was in 1998, not 1996, check the archive.", "I don't buy that argument at all, sorry.",
    "This is a bad take and I'll explain why below.", "Your summary leaves out the most important finding.",
    "I object to this change and would like it undone until we talk.",
    "You keep repeating the claim without giving a source for it.",
    "I think you are confusing two different treaties.", "Fair enough, but that does not answer my question.",
    "That is wildly wrong; the population is about half that.",
    "Nope, that's not how the tax works, you assume the wrong rate.",
    "I'd push back on the idea that this is settled.",
    "You are entitled to your opinion, but the article needs facts.",
    "Strongly disagree with removing the history section.",
    "Let's assess both sources before anyone changes the paragraph again.",
    "I think your conclusion goes further than the data.",
]
#: Moderation: reminders, warnings, closures and reports, addressed to a person and still civil.
MODERATION = [
    "Please keep the discussion on the article, not on each other.", "Locking this thread, it has gone off topic.",
    "Comments that attack other users will be removed.", "Reminder: be kind to new contributors.",
    "I have hidden two replies that broke the rules.", "Please read the guidelines before posting again.",
    "This is a formal warning about your tone in the last three replies.",
    "Your account is suspended for a week for spamming.", "Moving this discussion to the help desk.",
    "Take a break and come back to it tomorrow, both of you.", "Reported the comment above to the moderators.",
    "Closing as no consensus; feel free to reopen next month.",
    "This page is protected until the dispute is resolved.", "Please don't shout in all caps, it reads as hostile.",
    "I've asked an admin to look at the history of this page.",
    "Posts with personal information will be deleted without notice.",
    "The user has been warned and the edits reverted.", "Stop, both of you, and let a neutral editor decide.",
    "Any more insults in this thread and I will ban the account.",
    "Let's cool it down and stick to the sources, please.",
]
#: Apologies and climb-downs.
APOLOGY = [
    "I apologise, that came out harsher than I meant.", "Sorry, I lost my temper yesterday and I regret it.",
    "My apologies for reverting you without a comment.", "You were right and I was wrong, sorry for the fuss.",
    "I take back what I said about your edit.", "Apologies to everyone for the noise in this thread.",
    "Sorry for the late reply, I was away all week.", "I owe you an apology for that snarky remark.",
    "Sorry, I misread your comment completely.", "I withdraw the accusation, it was unfair of me.",
    "Sorry if this is a silly question, I'm new here.", "My fault, I should have checked the talk page first.",
    "Apologies, the link I posted was the wrong one.", "Sorry for butting in, but I think I can help.",
    "I was out of line earlier, please accept my apology.", "Sorry, that was uncalled for on my part.",
]
#: Self-deprecation: insult words aimed at oneself.
SELF = [
    "I'm such an idiot, I uploaded the wrong file.", "What a dumb thing for me to do, fixed it now.",
    "Silly me, I forgot to save before closing.", "I feel like a fool for missing that typo twice.",
    "Brain fart on my side, the year is 2004.", "Clumsy of me, I broke the table formatting.",
    "I'm hopeless with templates, can someone check my edit?", "Ugh, rookie mistake, I linked the wrong page.",
    "Call me stupid, but I still don't get the second step.",
    "I'm an absolute moron with dates, thanks for catching it.",
    "Facepalm, I was looking at the wrong version all along.", "I'm a bit slow today, could you say that again?",
    "Dumb question from a clueless newbie: where is the sandbox?", "My own fault for not reading the instructions.",
    "I made a mess of the references, sorry, fixing it.", "Total idiot move on my part, I deleted my own paragraph.",
]
#: Frustration about things, not people (bugs, software, weather, the process itself).
VENT = [
    "This editor is driving me crazy, it keeps eating my changes.", "Ugh, the upload failed again, third time today.",
    "The search function on this site is useless.", "I hate it when the references break after a merge.",
    "This bug has been killing me all afternoon.", "What a nightmare of a week, the servers keep crashing.",
    "The new rules are ridiculous and badly written.", "Damn autocorrect changed every name in the list.",
    "This whole process is a bureaucratic joke.", "The class assignment was a pain but I passed.",
]
CIVIL_KINDS = {"disagree": DISAGREE, "moderation": MODERATION, "apology": APOLOGY, "self": SELF, "vent": VENT}
#: Toxic contrasts of the civil kinds: the same register, but the insult or threat is aimed at the other person
#: ("I'm such an idiot" is clean, "You're such an idiot" is not), so the civil rows cannot teach that insult words
#: or a heated tone are clean in themselves; generated as their own file (``civil_toxic``).
CONTRAST = [
    "You see it differently because you are too dense to read the source.", "Wrong again, you clueless nitwit.",
    "Respectfully, you are an idiot and the report proves it.", "I'm not convinced you can even read, moron.",
    "Your reading of the law is as stupid as you are.", "Nobody buys your garbage argument, you fraud.",
    "You are a dishonest little worm and your summary shows it.", "Only a brain-dead fool would confuse two treaties.",
    "Keep the discussion on the article, you pompous windbag.", "Any more of your drivel and I'll see you banned, you "
    "worthless hack.", "Shut up and read the rules, imbecile.", "Report me all you like, you spineless crybaby.",
    "Locking this thread because you are too stupid to stay on topic.", "Take a break, preferably forever, you pest.",
    "I'm sorry you're too thick to understand a simple table.", "Sorry, not sorry, you whining halfwit.",
    "My apologies for assuming you had a brain.", "I apologise to everyone except you, you lying snake.",
    "You're such an idiot, you uploaded the wrong file again.", "What a dumb thing to do, you absolute muppet.",
    "You're hopeless and useless, stop touching the templates.", "Rookie mistake from a clueless loser like you.",
    "You are driving me crazy, you useless idiot.", "You people are a bureaucratic joke and a waste of oxygen.",
    "This bug is your fault, you incompetent fool.", "I hate you and every stupid edit you make.",
]


def civil_templates(label: str = "clean") -> list[tuple[str, str, str]]:
    """The civil comment-thread templates as (``clean``, ``civil_<kind>:<index>``, text), or with
    ``label="toxic"`` their toxic contrasts (``civil_contrast:<index>``)."""
    if label == "toxic":
        return [("toxic", f"civil_contrast:{i}", t) for i, t in enumerate(CONTRAST)]
    return [("clean", f"civil_{kind}:{i}", t) for kind, ts in CIVIL_KINDS.items() for i, t in enumerate(ts)]


def build_civil(n: int = 2000, seed: int = 7, holdout: float = 0.25, share: float = 0.3,
                label: str = "clean") -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(train, dev) civil comments of ``label``: ``n`` sentences, templates held out whole, ``share`` of the clean
    ones joined into comments (the toxic contrasts stay single sentences: ``comments`` joins clean ones only)."""
    from tasks.toxicity_phrases import split_by_template

    rng = random.Random(f"civil:{seed}" if label == "clean" else f"civil_{label}:{seed}")
    temps = civil_templates(label)
    rows = [(label, tid, _sentence(rng, tid, text)) for label, tid, text in (temps[k % len(temps)] for k in range(n))]
    rng.shuffle(rows)
    train, dev = split_by_template(rows, holdout, seed)
    return comments(train, share, seed), comments(dev, share, seed)


def main(argv: list[str] | None = None) -> None:
    """Write civil_train.txt and dev_civil.txt (held-out templates) to ``--out``, and the toxic contrasts."""
    import argparse
    from pathlib import Path

    from tasks.toxicity_phrases import write_fasttext

    ap = argparse.ArgumentParser(description="civil comment-thread sentences, split by template")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--toxic-n", type=int, default=0,
                    help="toxic contrasts per run: civil_toxic_train.txt, dev_civil_toxic.txt")
    args = ap.parse_args(argv)
    for label, n, name in (("clean", args.n, "civil"), ("toxic", args.toxic_n, "civil_toxic")):
        if n:
            train, dev = build_civil(n, args.seed, label=label)
            write_fasttext(train, args.out / f"{name}_train.txt")
            write_fasttext(dev, args.out / f"dev_{name}.txt")
            print(f"{name}_train {len(train)} rows, dev_{name} {len(dev)} rows (templates held out whole) -> "
                  f"{args.out}")


if __name__ == "__main__":
    main()
