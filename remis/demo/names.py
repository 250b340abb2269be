"""Pools of common given and family names by region, combined at random: every generated
person is synthetic. Accents are kept so accent-insensitive search is exercised."""

from __future__ import annotations

WEST_AFRICA = {
    "F": [
        "Aïssatou",
        "Fatoumata",
        "Mariama",
        "Kadiatou",
        "Hawa",
        "Binta",
        "Awa",
        "Néné",
        "Djénabou",
        "Adama",
    ],
    "M": [
        "Mamadou",
        "Ibrahima",
        "Alpha",
        "Ousmane",
        "Abdoulaye",
        "Moussa",
        "Sékou",
        "Lamine",
        "Cheick",
        "Boubacar",
    ],
    "family": [
        "Diallo",
        "Bah",
        "Barry",
        "Camara",
        "Sow",
        "Keïta",
        "Traoré",
        "Condé",
        "Touré",
        "Kouyaté",
        "Diakité",
        "Sylla",
        "Cissé",
        "Koné",
        "Ndiaye",
        "Fofana",
        "Okafor",
        "Adeyemi",
        "Mbarga",
    ],
}
ARABIC = {
    "F": ["Zainab", "Fatima", "Maryam", "Noor", "Huda", "Rana", "Samira", "Layla", "Amal", "Rasha"],
    "M": ["Ahmed", "Mohammed", "Ali", "Hussein", "Omar", "Karim", "Mustafa", "Yousef", "Hassan", "Khalid"],
    "family": [
        "Al-Jubouri",
        "Al-Obaidi",
        "Hamdan",
        "Kareem",
        "Saleh",
        "Haddad",
        "Mansour",
        "Rahimi",
        "Benali",
        "Bouzid",
        "El Amrani",
        "Qasim",
    ],
}
SOUTH_ASIA = {
    "F": ["Ayesha", "Fatima", "Nasreen", "Shabnam", "Parveen", "Farzana", "Rukhsana"],
    "M": ["Imran", "Bilal", "Ahmad", "Rahim", "Javed", "Sohail", "Farid", "Tariq", "Mahmud"],
    "family": ["Khan", "Hussain", "Ahmadzai", "Rahman", "Hossain", "Chowdhury", "Akhtar", "Karimi", "Popal"],
}
CAUCASUS_BALKANS = {
    "F": ["Nino", "Tamar", "Mariam", "Ana", "Elira", "Jelena", "Milica", "Ayşe", "Elif", "Ardita"],
    "M": ["Giorgi", "Levan", "David", "Luka", "Arben", "Dritan", "Nikola", "Stefan", "Mehmet", "Emre"],
    "family": [
        "Beridze",
        "Kapanadze",
        "Gelashvili",
        "Hoxha",
        "Krasniqi",
        "Petrović",
        "Jovanović",
        "Yılmaz",
        "Demir",
        "Shehu",
    ],
}
LATIN_AMERICA = {
    "F": ["Ana", "Juliana", "Fernanda", "Camila", "Luíza"],
    "M": ["João", "Pedro", "Lucas", "Rafael", "Thiago"],
    "family": ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Conceição"],
}

BY_COUNTRY: dict[str, dict[str, list[str]]] = {
    **dict.fromkeys(["GN", "ML", "CI", "SN", "CM", "NG", "GM"], WEST_AFRICA),
    **dict.fromkeys(["IQ", "MA", "DZ"], ARABIC),
    **dict.fromkeys(["AF", "PK", "BD"], SOUTH_ASIA),
    **dict.fromkeys(["GE", "RS", "AL", "MK", "TR"], CAUCASUS_BALKANS),
    "BR": LATIN_AMERICA,
}


def pool(country: str) -> dict[str, list[str]]:
    return BY_COUNTRY.get(country, WEST_AFRICA)
