"""Words for lines, limits and ratings in the sentences a contractor reads."""

LINE_NAMES = {
    "general_liability": "General liability",
    "automobile_liability": "Automobile liability",
    "umbrella_liability": "Umbrella liability",
    "excess_liability": "Excess liability",
    "workers_compensation": "Workers compensation",
    "other": "Other coverage",
}

LIMIT_NAMES = {
    "each_occurrence": "each occurrence",
    "damage_to_rented_premises": "damage to rented premises",
    "medical_expense": "medical expense",
    "personal_advertising_injury": "personal and advertising injury",
    "general_aggregate": "general aggregate",
    "products_completed_operations_aggregate": "products-completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "bodily_injury_per_person": "bodily injury per person",
    "bodily_injury_per_accident": "bodily injury per accident",
    "property_damage": "property damage",
    "aggregate": "aggregate",
    "retention": "retention",
    "el_each_accident": "employers' liability each accident",
    "el_disease_each_employee": "employers' liability disease each employee",
    "el_disease_policy_limit": "employers' liability disease policy limit",
    "limit": "limit",
}

# Which umbrella/excess limit stacks on which underlying limit when a set lets umbrella "follow form".
UMBRELLA_STACKS = {
    "each_occurrence": "each_occurrence",
    "general_aggregate": "aggregate",
    "products_completed_operations_aggregate": "aggregate",
    "combined_single_limit": "each_occurrence",
    "el_each_accident": "each_occurrence",
}

# AM Best financial strength ratings, best first.
RATING_SCALE = ("A++", "A+", "A", "A-", "B++", "B+", "B", "B-", "C++", "C+", "C", "C-", "D", "E", "F", "S")


def rating_rank(rating: str | None) -> int | None:
    value = (rating or "").strip().upper()
    return RATING_SCALE.index(value) if value in RATING_SCALE else None
