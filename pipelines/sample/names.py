"""Fictional people and customers: name pools and unique display names."""

from __future__ import annotations

import numpy as np

FEMALE = (
    "Aoife Ana Beatriz Chloe Clara Daniela Elena Emma Eva Fatima Grace Hannah Ines Isabel Jana Julia Katie Laura "
    "Lea Lucia Maeve Maria Marta Maya Mia Nadia Niamh Nora Olivia Paula Priya Rachel Roisin Sara Sofia Sophie "
    "Tara Valentina Yasmin Zoe Amira Carmen Freya Ingrid Leila Mei Noor Rosa Sienna Wanda"
).split()
MALE = (
    "Adam Ahmed Andrei Ben Carlos Cian Conor Daniel David Diego Eoin Felix Finn Gabriel Hugo Ivan Jack James Javier "
    "Jonas Karim Leo Liam Lucas Luis Marco Mateo Michael Nathan Niall Noah Omar Oscar Pablo Patrick Paul Rafael "
    "Ravi Ryan Samuel Sean Tomas Victor Yusuf Arjun Bruno Emil Kenji Malik Stefan"
).split()
NEUTRAL = "Alex Ari Avery Charlie Eden Jamie Jordan Kai Morgan Quinn Riley Robin Sam Sasha Taylor".split()
LAST = (
    "Murphy Kelly Byrne Ryan Walsh O'Brien Doyle McCarthy Gallagher Kennedy Lynch Murray Quinn Moore Brennan "
    "Garcia Fernandez Lopez Martinez Silva Santos Costa Pereira Rossi Russo Ferrari Bianchi Muller Schmidt "
    "Schneider Fischer Weber Meyer Wagner Becker Novak Kowalski Nowak Horvat Popescu Ionescu Petrov Ivanova "
    "Nielsen Hansen Larsen Berg Lindqvist Virtanen Dubois Laurent Moreau Girard Bernard Janssen Peeters Smit "
    "Visser Okafor Adeyemi Mensah Diallo Haddad Nasser Khan Patel Sharma Singh Gupta Reddy Chen Wang Li Zhang "
    "Liu Tanaka Sato Suzuki Kim Park Nguyen Tran Santos Reyes Cruz Ramos Torres Flores Rivera Morales Ortiz "
    "Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Wright Hughes Green Hall Wood Clarke "
    "Baker Turner Hill Ward Foster Hayes Price Bennett Carter Mitchell Shaw Fleming Dunne Nolan Keane Foley"
).split()
LAST = tuple(dict.fromkeys(LAST))

COMPANY_WORDS_A = (
    "Northwind Bluebird Granite Harbor Lumen Maple Nimbus Orchid Pioneer Quartz Redwood Summit Tidal Vertex "
    "Willow Zephyr Atlas Beacon Cobalt Delta Ember Fjord Glacier Helix Indigo Juniper Keystone Lattice Meridian"
).split()
COMPANY_WORDS_B = "Labs Logistics Health Retail Foods Studio Analytics Partners Systems Travel Energy Media".split()


def person_names(rng: np.random.Generator, genders: list[str]) -> list[tuple[str, str]]:
    """(first, last) per person, display names `First Last` unique across the list."""
    used: set[str] = set()
    out = []
    for g in genders:
        pool = FEMALE if g == "Female" else MALE if g == "Male" else NEUTRAL if g == "Non-binary" else FEMALE + MALE
        while True:
            first = pool[int(rng.integers(len(pool)))]
            last = LAST[int(rng.integers(len(LAST)))]
            if f"{first} {last}" not in used:
                used.add(f"{first} {last}")
                out.append((first, last))
                break
    return out


def companies() -> list[tuple[str, str]]:
    """(company name, domain) for the customer organisations, in a fixed order."""
    out = []
    for a in COMPANY_WORDS_A:
        for b in COMPANY_WORDS_B:
            out.append((f"{a} {b}", f"{a.lower()}{b.lower()}.example"))
    return out
