"""Synthetic labelled sentences for the toxicity classifier, written here (no third-party text).

Davidson's toxic tweets are mostly profanity and slurs; hate speech worded without them (dehumanising comparisons,
calls for exclusion or violence, collective blame, contempt) and personal insults in a talk-page argument are
missing. Positives here are composed from a small grammar (opener x target group x attack predicate, and opener x
insult) so the classifier learns the construction rather than a few sentences. Negatives are the hard cases: neutral
and positive sentences about the SAME groups (news, history, celebrations, advocacy, reports on hate speech) and
heated but civil disagreement, so that a group's name or a raised voice is not a toxic signal by itself.

Every sentence carries the id of the template it came from (``kind:index``): ``split_by_template`` holds out whole
templates, so a held-out score measures phrasings the model never saw, not memorised ones.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

#: Target groups (plural nouns): religions, origins, colours, genders, orientations, disabilities, ages, migrants.
GROUPS = ["Muslims", "Jews", "Christians", "Hindus", "Sikhs", "Buddhists", "atheists", "Catholics", "immigrants",
          "refugees", "migrants", "asylum seekers", "Mexicans", "Africans", "Asians", "Chinese people", "Arabs",
          "black people", "white people", "Latinos", "Roma", "Indians", "Pakistanis", "Nigerians", "Somalis",
          "Syrians", "Poles", "Irish people", "Native Americans", "women", "men", "girls", "gay people", "lesbians",
          "gay men", "trans people", "transgender women", "bisexual people", "disabled people", "autistic people",
          "deaf people", "blind people", "people in wheelchairs", "the mentally ill", "old people", "the elderly",
          "foreigners", "Gypsies", "Palestinians", "Israelis", "Russians", "Ukrainians", "Koreans", "Japanese people",
          "Filipinos", "Haitians", "Jamaicans", "Turks", "Kurds", "Iranians", "feminists", "single mothers"]

#: Ways a hateful sentence opens (empty = none); shared with the negatives' openers where it makes sense.
ATTACK_OPENERS = ["", "Honestly, ", "Let's be real, ", "I'm sorry but ", "Face it, ", "Everyone knows ",
                  "The truth is ", "Wake up people, ", "I'll say it: ", "Simple fact: ", "Newsflash: ",
                  "I don't care what anyone says, ", "Mark my words, ", "lol ", "Seriously, "]

#: Openers that fit an order as well as a statement.
ORDER_OPENERS = ["", "Honestly, ", "Seriously, ", "I'll say it: ", "lol ", "Wake up people, ", "Simple: "]

#: Attack predicates on a group, by kind. Each string is one template; {G} is the group.
ATTACKS = {
    "dehumanise": [
        "{G} are animals and should be treated like animals.", "{G} are vermin, nothing more.",
        "{G} are a disease spreading through this country.", "{G} are parasites living off the rest of us.",
        "{G} are not really human.", "{G} breed like rats.", "{G} are a plague on every city they touch.",
        "{G} are savages who never evolved.", "{G} are cockroaches and they multiply just as fast.",
        "{G} are subhuman trash.", "{G} are a cancer on society.", "{G} are filthy creatures.",
        "{G} are like a virus, they infect everything.", "{G} are less than human and always will be.",
    ],
    "exclusion": [
        "{G} should all be deported, no exceptions.", "{G} don't belong here, send them back where they came from.",
        "Keep {G} out of our neighbourhood.", "No {G} should ever be allowed in this country.",
        "{G} should not be allowed to vote.", "Ban {G} from our schools.", "We need to get rid of all {G}.",
        "{G} should not be allowed to have children.", "Never hire {G}, they ruin every workplace.",
        "{G} should be kicked out of the country.", "Close the borders and throw every last one of the {G} out.",
        "{G} have no place in a civilised society.", "Don't rent to {G}, you will regret it.",
        "{G} should stay in their own countries.",
    ],
    "violence": [
        "{G} should be wiped off the face of the earth.", "I wish someone would just get rid of the {G} for good.",
        "Round up the {G} and lock them away forever.", "{G} deserve to be beaten.", "Shoot the {G} on sight.",
        "The world would be better if all {G} died.", "{G} should be hanged.",
        "Burn their houses down, {G} deserve it.",
        "Someone should teach those {G} a lesson they will never forget.", "{G} need to be exterminated.",
        "Line the {G} up against a wall.", "We should hunt down every one of the {G}.",
        "I would happily watch {G} suffer.", "Gas the {G}.",
    ],
    "blame": [
        "{G} are the reason everything in this country is falling apart.", "All {G} are criminals and liars.",
        "{G} are behind every crime in this city.", "{G} are ruining our country.", "{G} steal our jobs and our money.",
        "You can never trust {G}, they are born liars.", "{G} are all terrorists.", "{G} are all thieves.",
        "Every problem we have is caused by {G}.", "{G} are destroying our culture.",
        "{G} spread disease wherever they go.",
        "{G} are rapists and drug dealers.", "{G} only come here to live on benefits.",
        "{G} are all the same, violent and lazy.",
    ],
    "contempt": [
        "{G} are too stupid to be allowed to vote.", "{G} make me sick.", "I can't stand {G}, they disgust me.",
        "{G} are worthless.", "{G} are inferior in every way.", "{G} are mentally ill and need to be cured.",
        "Nobody wants {G} around.", "{G} are disgusting.", "{G} are a joke and always will be.",
        "{G} are the dumbest people on the planet.", "I hate {G} with a passion.", "{G} are a waste of oxygen.",
        "{G} are useless to society.", "{G} have the brains of a goldfish.", "{G} are pathetic and weak.",
    ],
    "inferiority": [
        "{G} are not smart enough to run anything.", "{G} can't be trusted with money or children.",
        "{G} will never be as civilised as we are.", "{G} were born to serve, not to lead.",
        "{G} should know their place.", "Letting {G} make decisions is how you ruin a country.",
        "{G} are incapable of honest work.", "{G} only understand violence.", "{G} can't think for themselves.",
        "{G} are a lower form of life.", "{G} are a burden on decent people.", "{G} are breeding us out of existence.",
    ],
}

#: Personal insults and harassment without profanity (talk-page or comment-thread style).
INSULTS = [
    "You are a pathetic, brainless clown.", "Nobody cares about your opinion, you clueless moron.",
    "Go back to school, you illiterate fool.", "Stop editing this page, you ignorant troll.",
    "You're too dumb to understand basic English.", "Are you really this stupid or just pretending?",
    "Get a life, loser.", "Your edits are garbage and so are you.", "Shut up and crawl back under your rock.",
    "You are a worthless idiot.", "What a spineless, lying little weasel you are.",
    "You are an embarrassment to your family.",
    "I hope you die in a fire.", "Kill yourself, nobody would miss you.", "I know where you live and I will find you.",
    "You should be ashamed of yourself, you disgusting creep.", "Only a complete imbecile would write this.",
    "You have the intelligence of a rock.", "Go away, you annoying little pest.", "You are a sad, lonely nobody.",
    "Hey dummy, learn to read before you comment.", "You are scum.", "What an ugly, stupid, miserable person you are.",
    "You're a fat, lazy slob.", "Nobody likes you, you fraud.", "You are a brain-dead troll with no life.",
    "Keep crying, you pathetic little baby.", "You are a liar and a hypocrite and everyone here knows it.",
    "Your mother should have raised you better, you ignorant pig.", "People like you are what is wrong with the world.",
    "You are too stupid to live.", "Watch your back, I am coming for you.", "You absolute moron, read the sources.",
    "Another idiot who thinks he knows everything.", "You are a disgrace and a coward.", "Shut your mouth, clown.",
    "Do the world a favour and stop breathing.", "You clearly have no brain at all.",
    "Nobody would cry at your funeral.",
    "Go crawl back into your basement and stay there.", "The gene pool would be better off without you.",
    "You are the reason shampoo has instructions.", "Your parents must be so disappointed in you.",
    "Do us all a favour and disappear for good.", "You are not worth the air you breathe.",
    "I hope something terrible happens to you.", "Your existence is a waste of everyone's time.",
]
INSULT_OPENERS = ["", "Wow. ", "Seriously? ", "Hey {name}, ", "{name}, ", "Listen, ", "Oh please. ", "LOL ", "Again: "]
NAMES = ["Mike", "Sarah", "Dave", "Priya", "Tom", "Anna", "Jim", "Leo", "Kate", "Omar", "Wei", "Raj", "admin"]

#: Neutral or positive sentences about the same groups: news, history, culture, advocacy, reports about hate.
GROUP_NEUTRAL = [
    "The museum opened an exhibition on the history of {G} in the city.",
    "A new report documents discrimination against {G} in housing and work.",
    "The mayor condemned the attacks on {G} and called for unity.",
    "Researchers say online abuse aimed at {G} has risen over the past year.",
    "Many {G} work as doctors, teachers and engineers.",
    "{G} have contributed a great deal to the culture of the region.",
    "The survey interviewed two thousand {G} about their jobs and families.",
    "Calling {G} animals is dehumanising and wrong.", "The festival celebrates the food and music of {G}.",
    "Local {G} organised a charity run for the children's hospital.", "The law protects {G} from discrimination.",
    "The documentary follows three {G} as they start new businesses.", "A group of {G} met the minister on Monday.",
    "Schools are teaching students about the history of {G}.", "The charity supports {G} who have lost their homes.",
    "Community leaders representing {G} welcomed the decision.", "The census counted more {G} in the region than ever.",
    "Hate crimes against {G} must be taken seriously, police said.", "The book tells the story of {G} in the 1920s.",
    "The study found that {G} are underrepresented in senior management.",
    "Our neighbours are {G} and they are lovely.",
    "The course covers the religious traditions and holidays of {G}.", "{G} marched peacefully for equal rights.",
    "The platform removed posts that threatened {G}.", "Volunteers taught English classes to {G} every weekend.",
    "The article explains common myths about {G} and why they are false.",
    "Support groups for {G} meet every Thursday.",
    "The new report on {G} will be published next month.", "Several {G} were elected to the council this year.",
    "The panel discussed how the media portrays {G}.", "The author interviewed {G} about their childhood memories.",
    "Stereotypes about {G} are harmful and untrue.", "{G} in the region celebrated the holiday with a big dinner.",
]

#: Civil disagreement and criticism of ideas, not people (talk-page and comment style), some heated.
CIVIL = [
    "I disagree with your edit; the source does not support that claim.",
    "With respect, I think you misread the article.",
    "This section is biased and needs better sources.",
    "Please stop reverting my changes without discussing them here.",
    "Your argument ignores the data from last year.", "I strongly oppose this proposal.",
    "That is a terrible idea for the budget, and here is why.", "I'm frustrated that nobody has answered my question.",
    "This policy is a disaster and the council should scrap it.",
    "I think you are wrong about this, but I see your point.",
    "The referee made an awful call and cost us the game.", "The film was boring and far too long.",
    "Can we please keep this discussion civil?", "I have reverted the change; please cite a reliable source.",
    "This article reads like an advertisement and should be rewritten.",
    "Your claim is simply false, see the census figures.",
    "I am tired of arguing about this; let's ask for a third opinion.",
    "Honestly, the new update is awful and I want a refund.",
    "That comment was rude and I would ask you to withdraw it.", "The government has completely failed on housing.",
    "I felt stupid for forgetting my keys again.", "Don't be foolish with your savings: start early.",
    "The plot is dumb, but the acting is great.", "We lost badly and the coach has to take the blame.",
    "I hate waiting in line at the post office.", "The weather was miserable all week.",
    "The killer in the novel is finally caught in the last chapter.", "The pest control company removed the rats.",
    "Please do not personally attack other editors.", "I will report this to the administrators if it continues.",
    "Stop spamming the talk page with the same link.", "Your source is a blog, which is not reliable for this topic.",
    "The merger was a mistake that cost thousands of jobs.", "I completely disagree, and the evidence is on my side.",
    "The old laptop is not smart enough to run the new software.", "Please stop breathing on the glass while it dries.",
    "The funeral will be held on Saturday at the village church.", "The basement flooded again after the storm.",
    "The children were not old enough to vote, so they watched.", "Parents know their children better than anyone.",
    "This phone is a waste of money, the battery dies by noon.", "Do yourself a favour and book the tickets early.",
    "The population of the town has doubled since 1990.", "The prison was built in 1870 and closed in 1990.",
]
NEUTRAL_OPENERS = ["", "Update: ", "According to the report, ", "On Tuesday, ", "In short, ", "Note: ", "Good news: "]


#: Composed families: a frame x a word list; the template id is the word, so held-out ids are unseen words.
#: Insults: second person + adjective + noun ("you are a clueless clown"); positive counterparts use the same frames.
YOU_FRAMES = ["You are {a} {adj} {noun}.", "you're such {a} {adj} {noun}", "What {a} {adj} {noun} you are.",
              "Only {a} {adj} {noun} would say that.", "Listen, you {adj} {noun}, nobody asked you.",
              "Stop it, you {adj} {noun}.", "{Name} is {a} {adj} {noun} and everyone knows it."]
INSULT_NOUNS = ["idiot", "moron", "fool", "clown", "loser", "troll", "hypocrite", "liar", "imbecile", "coward",
                "creep", "bigot", "parasite", "nobody", "buffoon", "halfwit", "lunatic", "pig", "rat", "snake",
                "leech", "dimwit", "simpleton", "nitwit", "degenerate", "lowlife", "scumbag", "weasel", "jerk",
                "dunce"]
INSULT_ADJS = ["pathetic", "ignorant", "clueless", "worthless", "stupid", "brainless", "miserable", "spineless",
               "arrogant", "delusional", "useless", "disgusting", "dumb", "sad little", "lying", "vile",
               "incompetent", "ugly", "filthy", "braindead"]
PRAISE_NOUNS = ["editor", "writer", "teacher", "friend", "person", "colleague", "neighbour", "student", "player",
                "reviewer", "researcher", "cook", "artist", "volunteer", "speaker", "host", "parent", "doctor",
                "engineer", "coach"]
PRAISE_ADJS = ["thoughtful", "kind", "brilliant", "careful", "generous", "patient", "talented", "honest",
               "helpful", "wonderful", "fair", "clever", "hard-working", "friendly", "sharp", "gifted"]
#: Group + noun ("Muslims are vermin"), against group + neutral descriptions in the same frame.
GROUP_FRAMES = ["{G} are {noun}.", "All {G} are {noun}.", "{G}? {Noun}, every one of them.",
                "Those {G} are nothing but {noun}.", "Face it, {G} are {noun}."]
HATE_NOUNS = ["vermin", "rats", "cockroaches", "parasites", "animals", "savages", "a plague", "a disease",
              "a cancer", "filth", "trash", "subhuman", "apes", "monkeys", "dogs", "pigs", "maggots", "leeches",
              "scum", "garbage", "a virus", "barbarians", "worms", "a pest", "lice", "snakes", "a stain",
              "degenerates", "inbred", "mongrels"]
NEUTRAL_NOUNS = ["citizens", "neighbours", "voters", "taxpayers", "students", "workers", "members of the community",
                 "people like anyone else", "part of this city", "welcome here", "a large community here",
                 "protected by law", "represented on the council", "among the founders of the town",
                 "active in local charities", "well represented in science", "often misunderstood",
                 "entitled to equal treatment", "our friends and colleagues", "a growing share of voters"]

#: One member of a group (adjective + person): hostile sentences against everyday ones in the same words.
GROUP_ADJS = ["Muslim", "Jewish", "Christian", "Hindu", "Sikh", "Catholic", "black", "white", "Asian", "Mexican",
              "Nigerian", "Somali", "Chinese", "Arab", "Polish", "Irish", "gay", "lesbian", "transgender",
              "disabled", "autistic", "deaf", "immigrant", "refugee", "foreign", "Indian", "Pakistani", "Roma"]
PERSON_NOUNS = ["man", "woman", "guy", "girl", "boy", "family", "neighbour", "student", "worker", "doctor"]
MEMBER_TOXIC = ["Never trust a {adj} {person}.", "That {adj} {person} should go back where they came from.",
                "Another {adj} {person} causing trouble, what a surprise.", "I would never let a {adj} {person} in "
                "my house.", "A {adj} {person} is worth less than a dog.",
                "Get that filthy {adj} {person} out of here.",
                "Every {adj} {person} is a criminal waiting to happen.", "No {adj} {person} will ever be my equal.",
                "The {adj} {person} next door should be run out of town.", "Hit the {adj} {person} until they leave."]
MEMBER_CLEAN = ["My grandmother was a {adj} {person} who ran a shop for forty years.",
                "Our new neighbour is a {adj} {person} from the next town.", "A {adj} {person} won the science prize.",
                "The {adj} {person} in the story becomes the town's first mayor.", "I met a {adj} {person} at the "
                "conference who works on climate data.", "She interviewed a {adj} {person} about life in the city.",
                "The charity helped a {adj} {person} find a flat.", "A {adj} {person} was attacked and police are "
                "appealing for witnesses.", "The film is about a young {adj} {person} growing up in the 1990s.",
                "My best friend is a {adj} {person}."]
#: Neutral second person: instructions, role prompts, advice ("You are given ...", "You need to ..."), so that
#: "you are" in the insult frames is not a signal by itself.
YOU_CLEAN = ["You are given a list of numbers; return the largest one.", "You are a travel agent. Suggest three "
             "places to visit in spring.", "You need to renew your passport before the trip.",
             "You should check the tyre pressure once a month.", "You are welcome to join us on Friday.",
             "You are right, I missed that reference.", "You will need a pen and some paper.",
             "You are an expert chef; explain how to make bread.", "You can find the form on the council website.",
             "You must be at least eighteen to enter.", "You are the best teacher I have ever had.",
             "You should write a short email to your manager.", "You are going to love this recipe.",
             "You have been selected for the interview.", "You are asked to classify each review as positive or "
             "negative.", "You might want to save your work first."]

def vary(rng: random.Random, text: str, lower: float = 0.25, upper: float = 0.32, punct: float = 0.2,
         endings: tuple[str, ...] = ("", "!", "!!", " ...")) -> str:
    """Surface variation seen in real comments (case, final punctuation), so these are not a style signal.

    Lower-cased with probability ``lower``, upper-cased with ``upper - lower``; the final full stop swapped for one
    of ``endings`` with probability ``punct``.
    """
    roll = rng.random()
    if roll < lower:
        text = text.lower()
    elif roll < upper:
        text = text.upper()
    if rng.random() < punct:
        text = text.rstrip(".") + rng.choice(endings)
    return text


def _fill(rng: random.Random, template: str, opener: str) -> str:
    group = rng.choice(GROUPS)
    text = template.replace("{G}", group).replace("{person}", rng.choice(PERSON_NOUNS))
    adj = rng.choice(GROUP_ADJS)
    # "a Asian" -> "an Asian" (the member templates all say "a {adj}")
    text = text.replace("a {adj}", f"{_article(adj)} {adj}").replace("A {adj}", f"{_article(adj).title()} {adj}")
    text = text.replace("{adj}", adj)
    opener = opener.replace("{name}", rng.choice(NAMES))
    # mid-sentence after an opener, except a capitalised group name opening the template ("Muslims are ...")
    if opener and not opener.endswith(("? ", ". ", ": ")) and not (text.startswith(group) and group[:1].isupper()):
        text = text[0].lower() + text[1:]
    return (opener + text)[:1].upper() + (opener + text)[1:]


def templates() -> list[tuple[str, str, str]]:
    """Every template as (label, template id, template text); ids are stable ``kind:index`` strings."""
    out = [("toxic", f"{kind}:{i}", t) for kind, ts in ATTACKS.items() for i, t in enumerate(ts)]
    out += [("toxic", f"insult:{i}", t) for i, t in enumerate(INSULTS)]
    out += [("clean", f"group_neutral:{i}", t) for i, t in enumerate(GROUP_NEUTRAL)]
    out += [("clean", f"civil:{i}", t) for i, t in enumerate(CIVIL)]
    out += [("toxic", f"member_toxic:{i}", t) for i, t in enumerate(MEMBER_TOXIC)]
    out += [("clean", f"member_clean:{i}", t) for i, t in enumerate(MEMBER_CLEAN)]
    out += [("clean", f"you_clean:{i}", t) for i, t in enumerate(YOU_CLEAN)]
    out += [("toxic", f"insult_noun:{w}", "") for w in INSULT_NOUNS]
    out += [("toxic", f"hate_noun:{w}", "") for w in HATE_NOUNS]
    out += [("clean", f"praise_noun:{w}", "") for w in PRAISE_NOUNS]
    out += [("clean", f"neutral_noun:{w}", "") for w in NEUTRAL_NOUNS]
    return out


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _compose(rng: random.Random, tid: str) -> str:
    """One sentence of a composed family; ``tid`` is ``family:word``."""
    family, word = tid.split(":", 1)
    if family in ("insult_noun", "praise_noun"):
        adj = rng.choice(INSULT_ADJS if family == "insult_noun" else PRAISE_ADJS)
        frames = YOU_FRAMES if family == "insult_noun" else YOU_FRAMES[:3] + YOU_FRAMES[6:]
        text = rng.choice(frames).replace("{adj}", adj).replace("{noun}", word)
        text = text.replace("{a}", _article(adj)).replace("{Name}", rng.choice(NAMES))
        return text[:1].upper() + text[1:]
    frame = rng.choice(GROUP_FRAMES if family == "hate_noun" else GROUP_FRAMES[:2] + GROUP_FRAMES[4:])
    text = frame.replace("{G}", rng.choice(GROUPS)).replace("{noun}", word).replace("{Noun}", word.capitalize())
    return text[:1].upper() + text[1:]


def round_robin(rows: list[tuple[str, str, str]], n_per_label: int) -> Iterator[tuple[str, str, str]]:
    """``n_per_label`` (label, template id, text) per label, toxic first, cycling through each label's templates."""
    for label in ("toxic", "clean"):
        temps = [t for t in rows if t[0] == label]
        for k in range(n_per_label):
            yield temps[k % len(temps)]


def generate(n_per_label: int = 4000, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n_per_label`` toxic and as many clean sentences as (label, template id, text), deterministic for ``seed``.

    Within a label every template gets the same share (the text varies by group, opener and surface form), so no
    single phrasing dominates; duplicates are kept rare by drawing group and opener at random.
    """
    rng = random.Random(seed)
    out: list[tuple[str, str, str]] = []
    for label, tid, text in round_robin(templates(), n_per_label):
        kind = tid.split(":")[0]
        if not text:
            out.append((label, tid, vary(rng, _compose(rng, tid))))
            continue
        # an order ("Keep ...", "Shoot ...") cannot follow "The truth is": it takes the short openers only
        declarative = text.startswith(("{G}", "All {G}", "Every", "You", "The", "I ", "Many", "Our"))
        if kind == "insult":
            opener = rng.choice(INSULT_OPENERS)
        elif label == "toxic":
            opener = rng.choice(ATTACK_OPENERS if declarative else ORDER_OPENERS)
        else:  # clean text gets the heated openers too, so that an opener is never a label signal by itself
            pool = NEUTRAL_OPENERS + (ATTACK_OPENERS if declarative else ORDER_OPENERS)
            opener = rng.choice(pool + INSULT_OPENERS if kind == "civil" else pool)
        out.append((label, tid, vary(rng, _fill(rng, text, opener))))
    rng.shuffle(out)
    return out


def split_by_template(rows: list[tuple[str, str, str]], fraction: float = 0.25,
                      seed: int = 7) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(train, held-out) with about ``fraction`` of each label's templates held out whole: no template on both sides."""
    rng = random.Random(seed)
    held: set[str] = set()
    for label in ("toxic", "clean"):
        ids = sorted({tid for lab, tid, _ in rows if lab == label})
        rng.shuffle(ids)
        held.update(ids[:round(len(ids) * fraction)])
    return [r for r in rows if r[1] not in held], [r for r in rows if r[1] in held]


def write_fasttext(rows: list[tuple[str, str, str]], path: Path) -> None:
    """Write rows as fastText lines (``__label__<label> text``), the trainer's ``fasttext`` format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for label, _, text in rows:
            fh.write(f"__label__{label} {' '.join(text.split())}\n")


def build(n_per_label: int = 4000, seed: int = 7, holdout: float = 0.25, forum_n_per_label: int = 0,
          forum_comments: float = 0.3) -> dict[str, list[tuple[str, str, str]]]:
    """The generated sets by file name: ``train``, ``dev`` (held-out templates) and ``dev_forum``.

    The comment-thread sentences (``tasks.toxicity_forum``, ``forum_n_per_label`` per label, none by default) are
    split by template on their own, so the sentences of this module and their split stay what they were without
    them; ``forum_comments`` of each side's rows become multi-sentence comments built from that side only.
    """
    from tasks import toxicity_forum as tf

    rows = generate(n_per_label, seed)
    train, dev = split_by_template(rows, holdout, seed) if holdout else (rows, [])
    forum_dev: list[tuple[str, str, str]] = []
    if forum_n_per_label:
        forum = tf.generate(forum_n_per_label, seed)
        forum_train, forum_dev = split_by_template(forum, holdout, seed) if holdout else (forum, [])
        train = train + tf.comments(forum_train, forum_comments, seed)
        forum_dev = tf.comments(forum_dev, forum_comments, seed)
    return {"train": train, "dev": dev, "dev_forum": forum_dev}


def main(argv: list[str] | None = None) -> None:
    """Write a generated set to ``--out DIR``: train.txt, dev.txt and dev_forum.txt (templates held out whole)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n-per-label", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--holdout", type=float, default=0.25, help="share of templates held out whole (0: none)")
    ap.add_argument("--forum-n-per-label", type=int, default=0,
                    help="comment-thread sentences per label (tasks.toxicity_forum); 0: none")
    ap.add_argument("--forum-comments", type=float, default=0.3,
                    help="share of the comment-thread rows joined into multi-sentence comments")
    args = ap.parse_args(argv)
    sets = build(args.n_per_label, args.seed, args.holdout, args.forum_n_per_label, args.forum_comments)
    for name, rows in sets.items():
        if rows or name != "dev_forum":
            write_fasttext(rows, args.out / f"{name}.txt")
    print(", ".join(f"{k} {len(v)} rows" for k, v in sets.items()) + f" (templates held out whole) -> {args.out}")


if __name__ == "__main__":
    main()
