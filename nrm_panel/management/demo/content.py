"""Invented places, people and stories for the demo data.

Realistic enough to demo the panel's work, and clearly fictional: invented towns, first names and
common surnames put together at random, .example email addresses and Ofcom's drama phone numbers.
"""

import bisect
import itertools
import random
import string
from dataclasses import dataclass

from referrals.models import ExploitationType, Gender, Indicator, LookedAfterStatus, OrganisationType

# The first three panels, as the brief for the demo names them; more are made up from PLACE_* below.
NAMED_PANELS = [("Northam", "NHM"), ("Eastbury", "EBY"), ("Westvale", "WVL")]
PLACE_STEMS = [
    "Rook",
    "Fern",
    "Quen",
    "Wyn",
    "Kel",
    "Sel",
    "Thorn",
    "Hol",
    "Mar",
    "Pen",
    "Ivy",
    "Glen",
    "Oak",
    "Lin",
    "Cal",
    "Dun",
    "Bram",
    "Tarn",
    "Ves",
    "Yar",
]
PLACE_ENDINGS = [
    "hurst",
    "mouth",
    "ford",
    "stead",
    "bridge",
    "combe",
    "wick",
    "borough",
    "field",
    "haven",
    "moor",
    "gate",
]
PLACE_PREFIXES = ["", "North ", "South ", "Upper ", "Lower ", "Great ", "Little "]
# Towns a child may be moved to along a county line, or live in when out of the panel's area.
OTHER_TOWNS = [
    "Seaborough",
    "Havenmouth",
    "Kingsmere",
    "Greyford",
    "Oldcastle Bay",
    "Marshby",
    "Redcliffe Vale",
    "Ashgrove",
    "Brightwater",
    "Stonebury",
]


class Weighted:
    """A weighted choice that is fast to repeat (the cumulative weights are worked out once)."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class PlaceName:
    town: str
    code: str

    @property
    def panel_name(self) -> str:
        return f"{self.town} NRM Panel"

    @property
    def slug(self) -> str:
        return self.town.lower().replace(" ", "-")


def place_names(count: int) -> list[PlaceName]:
    """`count` panel towns, always the same ones in the same order, with preferred 3-letter codes."""
    names = [PlaceName(town, code) for town, code in NAMED_PANELS]
    invented = []
    for prefix in PLACE_PREFIXES:
        towns = [prefix + stem + ending for stem in PLACE_STEMS for ending in PLACE_ENDINGS]
        random.Random(prefix).shuffle(towns)  # a fixed order, but not twenty "-hurst"s in a row
        invented += towns
    if count > len(names) + len(invented):
        raise ValueError(f"The demo has names for at most {len(names) + len(invented)} panels")
    names += [PlaceName(town, preferred_code(town)) for town in invented[: max(0, count - len(names))]]
    return names[:count]


def preferred_code(town: str) -> str:
    letters = [c for c in town.upper() if c.isalpha()]
    consonants = [c for c in letters[1:] if c not in "AEIOU"]
    return "".join(([letters[0]] + consonants + letters[1:])[:3])


def candidate_codes(place: PlaceName):
    """Codes to try for a panel, most recognisable first: its own, its town's letters, then any three letters."""
    letters = [c for c in place.town.upper() if c.isalpha()]
    yield place.code
    for pair in itertools.combinations(letters[1:], 2):
        yield letters[0] + "".join(pair)
    for triple in itertools.product(string.ascii_uppercase, repeat=3):
        yield "".join(triple)


# People who work for the panel's agencies (demo logins and first responders).
STAFF_FIRST_NAMES = [
    "Priya",
    "Tom",
    "Grace",
    "Daniel",
    "Aisha",
    "Owen",
    "Hannah",
    "Samuel",
    "Fatima",
    "Rhys",
    "Claire",
    "Marcus",
    "Joanne",
    "Imran",
    "Beth",
    "Gareth",
    "Nadia",
    "Paul",
    "Sian",
    "Chris",
]
STAFF_LAST_NAMES = [
    "Shah",
    "Okoro",
    "Fletcher",
    "Morgan",
    "Patel",
    "Reid",
    "Lloyd",
    "Bennett",
    "Chowdhury",
    "Price",
    "Hart",
    "Doyle",
    "Quinn",
    "Sharma",
    "Nolan",
    "Parry",
    "Ellis",
    "Kaur",
    "Mills",
    "Fenwick",
]


@dataclass(frozen=True)
class Background:
    """Names, language and places that go together for children of one nationality."""

    boys: list
    girls: list
    surnames: list
    language: str
    countries: str
    exploitation: Weighted


BACKGROUNDS = {
    "British": Background(
        boys=[
            "Jayden",
            "Tyler",
            "Kai",
            "Callum",
            "Reece",
            "Liam",
            "Connor",
            "Mason",
            "Leon",
            "Jordan",
            "Harvey",
            "Riley",
            "Ethan",
            "Kyle",
            "Louis",
            "Marcus",
            "Tyrese",
            "Aaron",
            "Dylan",
            "Jake",
        ],
        girls=[
            "Chloe",
            "Ellie",
            "Jade",
            "Megan",
            "Amber",
            "Paige",
            "Kayla",
            "Leah",
            "Shannon",
            "Courtney",
            "Demi",
            "Holly",
            "Jasmine",
            "Mia",
            "Sophie",
            "Aaliyah",
        ],
        surnames=[
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Johnson",
            "Davies",
            "Robinson",
            "Wright",
            "Thompson",
            "Evans",
            "Walker",
            "White",
            "Roberts",
            "Green",
            "Hall",
            "Wood",
            "Jackson",
            "Clarke",
            "Hughes",
            "Edwards",
            "Campbell",
            "Mensah",
            "Okafor",
            "Ahmed",
            "Begum",
            "Khan",
            "Hussain",
            "Ali",
        ],
        language="English",
        countries="",
        exploitation=Weighted(
            {
                ExploitationType.COUNTY_LINES: 45,
                ExploitationType.CRIMINAL: 25,
                ExploitationType.SEXUAL: 27,
                ExploitationType.LABOUR: 1,
                ExploitationType.DOMESTIC_SERVITUDE: 2,
            }
        ),
    ),
    "Vietnamese": Background(
        boys=["Minh", "Duc", "Tuan", "Hieu", "Long", "Nam", "Quang", "Thanh", "Huy", "Khoa"],
        girls=["Lan", "Linh", "Mai", "Ngoc", "Thu", "Trang", "Hoa", "Huong"],
        surnames=["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do"],
        language="Vietnamese",
        countries="Vietnam; France",
        exploitation=Weighted(
            {ExploitationType.CRIMINAL: 55, ExploitationType.LABOUR: 30, ExploitationType.SEXUAL: 15}
        ),
    ),
    "Albanian": Background(
        boys=["Arben", "Besnik", "Dritan", "Ermal", "Florian", "Klodian", "Ledio", "Marsel", "Endri", "Kristi"],
        girls=["Anisa", "Elira", "Ermira", "Jonida", "Klea", "Rea"],
        surnames=["Hoxha", "Shehu", "Kola", "Gashi", "Leka", "Marku", "Dervishi", "Krasniqi", "Cela"],
        language="Albanian",
        countries="Albania; Belgium",
        exploitation=Weighted(
            {ExploitationType.CRIMINAL: 55, ExploitationType.LABOUR: 25, ExploitationType.SEXUAL: 20}
        ),
    ),
    "Eritrean": Background(
        boys=["Yonas", "Filmon", "Samuel", "Dawit", "Biniam", "Merhawi", "Robel"],
        girls=["Helen", "Senait", "Selam", "Mebrat", "Luwam"],
        surnames=["Tesfaye", "Gebremedhin", "Haile", "Berhane", "Tekle", "Kidane", "Woldu", "Asmerom"],
        language="Tigrinya",
        countries="Eritrea; Sudan; Libya; France",
        exploitation=Weighted(
            {
                ExploitationType.LABOUR: 40,
                ExploitationType.SEXUAL: 30,
                ExploitationType.DOMESTIC_SERVITUDE: 15,
                ExploitationType.CRIMINAL: 15,
            }
        ),
    ),
    "Sudanese": Background(
        boys=["Mohamed", "Ahmed", "Osman", "Abdallah", "Musa", "Adam", "Ibrahim", "Yousif"],
        girls=["Amna", "Fatima", "Hiba", "Sara", "Maryam"],
        surnames=["Osman", "Abdelrahman", "Ismail", "Hamid", "Yousif", "Adam", "Mohamedain"],
        language="Arabic",
        countries="Sudan; Libya; Italy; France",
        exploitation=Weighted(
            {
                ExploitationType.LABOUR: 40,
                ExploitationType.CRIMINAL: 30,
                ExploitationType.SEXUAL: 20,
                ExploitationType.DOMESTIC_SERVITUDE: 10,
            }
        ),
    ),
    "Romanian": Background(
        boys=["Andrei", "Ionut", "Florin", "Marius", "Alexandru", "Gabriel", "Cristian"],
        girls=["Ioana", "Elena", "Andreea", "Bianca", "Denisa"],
        surnames=["Popescu", "Ionescu", "Stan", "Dumitru", "Constantin", "Lazar", "Marin", "Radu"],
        language="Romanian",
        countries="Romania",
        exploitation=Weighted(
            {
                ExploitationType.SEXUAL: 35,
                ExploitationType.LABOUR: 30,
                ExploitationType.CRIMINAL: 25,
                ExploitationType.DOMESTIC_SERVITUDE: 10,
            }
        ),
    ),
    "Afghan": Background(
        boys=["Ahmad", "Farhad", "Hamid", "Jawad", "Rahim", "Sami", "Wahid"],
        girls=["Zahra", "Mariam", "Nargis"],
        surnames=["Ahmadi", "Rahimi", "Hashimi", "Karimi", "Noori", "Safi"],
        language="Dari",
        countries="Afghanistan; Iran; Turkey; France",
        exploitation=Weighted(
            {ExploitationType.LABOUR: 40, ExploitationType.CRIMINAL: 35, ExploitationType.SEXUAL: 25}
        ),
    ),
}
NATIONALITIES = Weighted(
    {"British": 62, "Vietnamese": 9, "Albanian": 9, "Eritrean": 6, "Sudanese": 6, "Romanian": 5, "Afghan": 3}
)
# How names get misspelt between two referrals of the same child (for likely duplicates).
SPELLING_VARIANTS = {
    "Jayden": "Jaden",
    "Callum": "Calum",
    "Reece": "Reese",
    "Leah": "Lea",
    "Mohamed": "Mohammed",
    "Ahmed": "Ahmad",
    "Kayla": "Kaila",
    "Tyrese": "Tyreese",
    "Yonas": "Yohannes",
    "Ionut": "Ionuț",
    "Minh": "Min",
    "Klodian": "Klodjan",
    "Aaliyah": "Aliyah",
    "Sophie": "Sofie",
}
STREET_NAMES = ["Lil T", "Ghost", "Tiny", "Blue", "Shorty", "Junior", "Smokey", "Kid", "Rocket", "Snow"]

# An account is one sentence of how the child came to notice, and up to two more of what is known.
HOW_FOUND = {
    ExploitationType.COUNTY_LINES: [
        "Found by police in a flat in {town} with wraps of class A drugs and £{cash} in cash.",
        "Stopped at {town} railway station travelling alone late at night with £{cash} in cash.",
        "Found in a cuckooed flat in {town} when police executed a warrant; an older man was arrested.",
        "Reported missing from home and found by police in {town}, more than 60 miles away.",
    ],
    ExploitationType.CRIMINAL: [
        "Found by police in a house in {town} where cannabis was being grown; the door was locked from outside.",
        "Arrested for shoplifting to order with two older young people who drove to and from the shops.",
        "Found carrying a knife, said to have been given by older associates to 'hold' for them.",
        "Was collecting and delivering parcels of cash in {town}, with the route sent by phone each day.",
    ],
    ExploitationType.SEXUAL: [
        "Told a teacher about being taken to parties in {town} by older men and given alcohol and drugs.",
        "Found by police in a hotel room in {town} with an adult man who is not a relative.",
        "Contact began online: was sent money and gifts before being asked to meet adults in {town}.",
        "Has been seen being collected from the children's home late at night by different cars.",
    ],
    ExploitationType.LABOUR: [
        "Found working long hours in a nail bar in {town} and sleeping in a room at the back of the shop.",
        "Found working at a hand car wash in {town} for no pay, living in a caravan on the site.",
        "Found by a labour inspection working on a building site in {town} without pay or safety equipment.",
    ],
    ExploitationType.DOMESTIC_SERVITUDE: [
        "Lives with adults described as relatives; does all the cooking, cleaning and childcare and is not in school.",
        "Told a school nurse that going out is not allowed except to take the younger children to school.",
    ],
}
WHAT_IS_KNOWN = [
    "Has two phones and will not say who gave them.",
    "Says there is a debt for drugs that were 'lost' and that it has to be worked off.",
    "Has been reported missing {missing} times in the last three months.",
    "Has an injury to the hand that is not explained.",
    "School attendance has fallen below 40% since the autumn.",
    "Says the journey to the UK was paid for by others and the debt is still owed.",
    "Appears frightened of the people involved and does not want to speak to the police.",
    "The family are worried and support the referral.",
    "Has been seen with older young people who are known to the police.",
    "Has no identity documents; says an adult keeps them.",
]
INDICATORS_BY_TYPE = {
    ExploitationType.COUNTY_LINES: [
        Indicator.MISSING_EPISODES,
        Indicator.FOUND_OUT_OF_AREA,
        Indicator.DRUGS_OR_WEAPONS,
        Indicator.UNEXPLAINED_MONEY,
        Indicator.OLDER_ASSOCIATES,
        Indicator.DEBT_BONDAGE,
    ],
    ExploitationType.CRIMINAL: [
        Indicator.CONTROLLED_BY_OTHERS,
        Indicator.DRUGS_OR_WEAPONS,
        Indicator.OLDER_ASSOCIATES,
        Indicator.FEAR_OF_AUTHORITIES,
        Indicator.DEBT_BONDAGE,
    ],
    ExploitationType.SEXUAL: [
        Indicator.MISSING_EPISODES,
        Indicator.OLDER_ASSOCIATES,
        Indicator.ONLINE_GROOMING,
        Indicator.UNEXPLAINED_MONEY,
        Indicator.SUBSTANCE_MISUSE,
        Indicator.INJURIES,
    ],
    ExploitationType.LABOUR: [
        Indicator.DEBT_BONDAGE,
        Indicator.NO_DOCUMENTS,
        Indicator.POOR_LIVING,
        Indicator.CONTROLLED_BY_OTHERS,
        Indicator.NOT_IN_EDUCATION,
    ],
    ExploitationType.DOMESTIC_SERVITUDE: [
        Indicator.NOT_IN_EDUCATION,
        Indicator.CONTROLLED_BY_OTHERS,
        Indicator.POOR_LIVING,
        Indicator.NO_DOCUMENTS,
    ],
}
WISHES_AND_FEELINGS = [
    "Wants to go back to school and feel safe.",
    "Does not want to talk to the police, but will talk to the social worker.",
    "Wants to stay in the current placement.",
    "Is worried about what will happen to the family if they speak.",
    "Wants to see a younger brother more often.",
    "Wants help with English and to start college.",
    "Says they are fine and do not need help; agreed to meet the youth worker again.",
]
# Where the child lives now, and the looked-after status that goes with it.
PLACEMENTS = [
    ("Living at home with family", LookedAfterStatus.CHILD_IN_NEED),
    ("Living at home with mother", LookedAfterStatus.CHILD_PROTECTION),
    ("Foster placement (address held by children's social care)", LookedAfterStatus.LOOKED_AFTER),
    ("Residential children's home in {town}", LookedAfterStatus.LOOKED_AFTER),
    ("Supported accommodation in {town}", LookedAfterStatus.LOOKED_AFTER),
    ("Staying with an aunt", LookedAfterStatus.NOT_KNOWN),
]
OTHER_AGENCIES = [
    "Youth justice service",
    "CAMHS",
    "School",
    "Independent Child Trafficking Guardian",
    "Missing persons team",
    "Immigration solicitor",
    "Virtual school",
    "Youth service",
]
CHARITIES = [
    "Harbour Lights Youth Trust",
    "Open Door Young People's Project",
    "Safe Steps Outreach",
    "The Lantern Project",
    "Northern Star Youth Charity",
]
FIRST_RESPONDER_TYPES = Weighted(
    {
        OrganisationType.LOCAL_AUTHORITY: 55,
        OrganisationType.POLICE: 25,
        OrganisationType.HEALTH: 8,
        OrganisationType.NGO: 8,
        OrganisationType.GOVERNMENT_AGENCY: 4,
    }
)
FIRST_RESPONDER_ROLES = {
    OrganisationType.LOCAL_AUTHORITY: ["Social worker", "Senior social worker", "Exploitation lead"],
    OrganisationType.POLICE: ["Detective constable", "Police constable", "Missing persons coordinator"],
    OrganisationType.HEALTH: ["Safeguarding nurse", "Paediatrician", "CAMHS practitioner"],
    OrganisationType.NGO: ["Youth worker", "Project worker", "Case worker"],
    OrganisationType.GOVERNMENT_AGENCY: ["Border Force officer", "Immigration officer"],
}


def organisation(kind: str, town: str, rng: random.Random) -> tuple[str, str]:
    """A first responder's organisation and the (.example) email domain of its staff."""
    slug = town.lower().replace(" ", "-")
    if kind == OrganisationType.LOCAL_AUTHORITY:
        return f"{town} Children's Social Care", f"{slug}-council.example"
    if kind == OrganisationType.POLICE:
        return f"{town} Constabulary", f"{slug}-police.example"
    if kind == OrganisationType.HEALTH:
        return f"{town} Hospitals NHS Trust", f"{slug}-nhs.example"
    if kind == OrganisationType.NGO:
        charity = rng.choice(CHARITIES)
        return charity, charity.lower().replace("'", "").replace(" ", "-").removeprefix("the-") + ".example"
    return f"Border Force, {town} port", "border-force.example"


def phone_number(rng: random.Random) -> str:
    # Ofcom keeps these ranges for drama: they will never reach a real person.
    if rng.random() < 0.5:
        return f"07700 900{rng.randint(0, 999):03d}"
    return f"0113 496 0{rng.randint(0, 999):03d}"


def gender_for(exploitation_types: list, rng: random.Random) -> str:
    if rng.random() < 0.02:
        return rng.choice([Gender.OTHER, Gender.NOT_KNOWN])
    share_female = 0.8 if ExploitationType.SEXUAL in exploitation_types else 0.15
    return Gender.FEMALE if rng.random() < share_female else Gender.MALE


def exploitation_types_for(background: Background, rng: random.Random) -> list:
    types = [background.exploitation.pick(rng)]
    if rng.random() < 0.2:  # criminal and sexual exploitation often come together
        second = ExploitationType.SEXUAL if types[0] != ExploitationType.SEXUAL else ExploitationType.CRIMINAL
        types.append(second)
    return types


def account_for(exploitation_types: list, town: str, rng: random.Random) -> str:
    sentences = [rng.choice(HOW_FOUND[exploitation_types[0]])]
    sentences += rng.sample(WHAT_IS_KNOWN, rng.randint(0, 2))
    return " ".join(sentences).format(town=town, cash=rng.choice([180, 350, 640, 900, 1200]), missing=rng.randint(3, 9))


def indicators_for(exploitation_types: list, rng: random.Random) -> list:
    seen = {indicator for kind in exploitation_types for indicator in INDICATORS_BY_TYPE[kind]}
    return rng.sample(sorted(seen), rng.randint(2, min(4, len(seen))))


def name_variant(first_name: str, rng: random.Random) -> str:
    """The same name as someone else might spell it on a second referral."""
    if first_name in SPELLING_VARIANTS:
        return SPELLING_VARIANTS[first_name]
    if len(first_name) > 4:
        cut = rng.randint(2, len(first_name) - 2)
        return first_name[:cut] + first_name[cut + 1 :]
    return first_name + "h"


# The panel's meetings and what is said at them (decisions.py).
MEETING_PLACE = "Committee Room 2, {town} Civic Centre"
VIRTUAL_PLACE = "Microsoft Teams: the link is in the calendar invitation"
EXTRAORDINARY_REASON_PAST = "Called so that cases reaching day 45 before the next regular meeting are decided in time."
EXTRAORDINARY_REASON_TODAY = (
    "Called for cases that reach day 45 before the next regular meeting, and a reconsideration "
    "with new evidence from the police."
)
CANCELLED_REASON = (
    "Cancelled: the chair and the police and health members are at the regional NRM training day. "
    "Cases due before the next meeting go to an extraordinary meeting."
)
CONFLICT_REASON = "Is a governor of the school the child attends and has met the family."
CLOSE_REASON = "Decision letters sent to the first responder; support continues through the child's plan."
# What each agency writes: what it knows of the child and the risks it sees.
INPUT_KNOWLEDGE = {
    "social_care": [
        "On a child protection plan since the spring; the social worker visits every week.",
        "Looked after since the referral; the placement reports late returns and new clothes and phones.",
        "Known to the exploitation team after three missing episodes; a return home interview was completed.",
    ],
    "police": [
        "Named in two intelligence reports linking the child to an older male who runs a drugs line.",
        "Arrested once with others; released under investigation. Treated as a possible victim, not a suspect.",
        "Phone download shows instructions and threats from a number attributed to an organised crime group.",
    ],
    "health": [
        "Seen at the emergency department with an unexplained hand injury; the school nurse has safeguarding notes.",
        "Has missed two CAMHS appointments; the looked-after children nurse has completed a health assessment.",
        "Sexual health clinic attendance; disclosed older 'boyfriends' who give money and lifts.",
    ],
    "education": [
        "Attendance has fallen to under half since the autumn; seen with older young people at the school gate.",
        "On a part-time timetable at the pupil referral unit; staff report the child is often tired and anxious.",
    ],
}
INPUT_RISKS = [
    "Still in contact with the people exploiting the child; risk of further exploitation is high.",
    "Debt owed to the exploiters; risk of violence if the child stops working for them.",
    "Placement is stable and the child engages with the youth worker; risk reduced but not gone.",
    "Goes missing at weekends; the risk is greatest on Friday and Saturday nights.",
]
INPUT_REASONS = {
    "victim": [
        "The account is consistent and matches what our agency has seen: recruitment, control and a debt.",
        "Several indicators together: missing episodes, found out of area, money and phones not explained.",
    ],
    "not_a_victim": [
        "Nothing we hold shows the child was recruited, moved or controlled by others.",
        "The account has changed a great deal and what we know points to a family dispute, not exploitation.",
    ],
    "not_enough_information": [
        "We have too little contact with the child to give a view either way.",
    ],
}
REVISED_INPUT = "Updated after the strategy meeting: the police disclosure confirms the debt and the threats."
# The panel's reasons, by decision kind and outcome.
DECISION_REASONS = {
    ("rg", "positive"): [
        "Indicators of county lines exploitation are present: recruitment by older males, travel out of area, "
        "a debt and threats. The panel has reasonable grounds to believe the child is a victim.",
        "The account is consistent with what the police and social care hold: the child was moved and "
        "controlled for the purpose of exploitation.",
    ],
    ("rg", "negative"): [
        "The information does not show recruitment, movement or control by others for the purpose of "
        "exploitation. The concerns are safeguarding concerns and are met through the child's plan.",
        "The panel found no indicator of exploitation beyond the first account, which the information "
        "from the agencies does not support.",
    ],
    ("cg", "positive"): [
        "On the balance of probabilities the child is a victim: the police disclosure confirms the account "
        "of being made to sell drugs to pay off a debt.",
        "More likely than not a victim of criminal exploitation: the health and social care records "
        "support the account of control and threats.",
    ],
    ("cg", "negative"): [
        "On the balance of probabilities the panel could not find that the child was exploited: the "
        "further information points to a peer group, not control by others.",
    ],
}
EVIDENCE_CONSIDERED = [
    "The referral, the agencies' inputs, the return home interview and the police intelligence summary.",
    "The referral, the agencies' inputs, the child's health assessment and school attendance records.",
]
DEFERRAL_REASON = "Deferred: the police disclosure from the exploiters' phones is due before the next meeting."
DELAY_REASONS = {
    "deferred": "The panel waited for the police disclosure, which it needed to decide.",
    "cg": "The panel decided reasonable grounds first and waited for the health assessment before deciding "
    "conclusive grounds.",
}
DISSENT = "The police member would have found the balance met on the phone evidence alone."
RECONSIDERATION_REQUESTS = {
    "new_evidence": (
        "first_responder",
        "The first responder, {organisation}",
        "New evidence: the police have since found messages setting the child's 'debt' and daily targets.",
    ),
    "guidance_not_followed": (
        "legal_representative",
        "The child's solicitor, {town} Law Centre",
        "The decision looked for evidence of force, which the guidance says a child does not need to show.",
    ),
}
RECONSIDERATION_REFUSAL = (
    "The request repeats what the panel considered and gives no new evidence; the decision followed the guidance."
)
