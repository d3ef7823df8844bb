#!/usr/bin/env python3
"""Writes heldout.jsonl: a small labelled corpus kept apart from the development corpus.

Every name, number and address is generated from a fixed seed and belongs to no real
person (names are random first-name/surname pairs; numbers carry valid check digits so
they look real to the validators). The sentence frames were written for this file and
are not those of shared/data/pii-dev. Run: python3 heldout_make.py > heldout.jsonl
"""

import json
import random

R = random.Random(20261201)

FIRST_DK = ["Birthe", "Jonas", "Signe", "Mikkel", "Ida", "Rasmus", "Louise", "Frederik",
            "Camilla", "Kasper", "Nanna", "Emil", "Trine", "Anders", "Malene", "Søren"]
FIRST_NO = ["Ingrid", "Håkon", "Sigrid", "Eirik", "Marte", "Vegard", "Ragnhild", "Øystein",
            "Tuva", "Sindre", "Kari", "Torbjørn", "Solveig", "Magnus", "Hilde", "Jørgen"]
SUR_DK = ["Kristensen", "Mortensen", "Bech", "Lauridsen", "Dahl", "Søndergaard", "Holm",
          "Vestergaard", "Thygesen", "Bundgaard", "Krogh", "Skov"]
SUR_NO = ["Haugland", "Bakke", "Lunde", "Solberg", "Strand", "Nygård", "Moen", "Aasen",
          "Rønning", "Fjeld", "Brekke", "Sæther"]
STREET_DK = ["Kirkevej", "Møllegade", "Rosenvænget", "Skovbrynet", "Engtoften", "Havnegade"]
STREET_NO = ["Furuveien", "Storgata", "Bjørkelia", "Sjøgata", "Lindeberget", "Åsveien"]
TOWN_DK = [("8600", "Silkeborg"), ("4700", "Næstved"), ("6100", "Haderslev"),
           ("9000", "Aalborg"), ("2300", "København S")]
TOWN_NO = [("7010", "Trondheim"), ("4631", "Kristiansand"), ("2317", "Hamar"),
           ("1530", "Moss"), ("5003", "Bergen")]
MAIL = ["gmail.com", "hotmail.dk", "online.no", "mail.dk", "outlook.com"]


def person(lang):
    f = R.choice(FIRST_DK if lang == "da" else FIRST_NO)
    s = R.choice(SUR_DK if lang == "da" else SUR_NO)
    return f"{f} {s}"


def cpr():
    while True:
        d, m, yy = R.randint(1, 28), R.randint(1, 12), R.randint(40, 99)
        base = f"{d:02}{m:02}{yy:02}" + str(R.randint(0, 3)) + f"{R.randint(0, 99):02}"
        w = [4, 3, 2, 7, 6, 5, 4, 3, 2]
        s = sum(int(c) * x for c, x in zip(base, w))
        k = (11 - s % 11) % 11
        if k < 10:
            return base + str(k)


def fnr(dnum=False):
    while True:
        d, m, yy = R.randint(1, 28), R.randint(1, 12), R.randint(40, 99)
        if dnum:
            d += 40
        base = f"{d:02}{m:02}{yy:02}{R.randint(0, 499):03}"
        dd = [int(c) for c in base]
        k1 = 11 - sum(a * b for a, b in zip(dd, [3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        dd.append(k1)
        k2 = 11 - sum(a * b for a, b in zip(dd, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return base + str(k1) + str(k2)


def iban(country, bban):
    rearr = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in rearr))
    check = 98 - n % 97
    raw = f"{country}{check:02}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def no_account():
    while True:
        base = f"{R.randint(1000, 9999)}{R.randint(10, 99)}{R.randint(0, 9999):04}"
        s = sum(int(c) * w for c, w in zip(base, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]))
        k = 11 - s % 11
        k = 0 if k == 11 else k
        if k < 10:
            d = base + str(k)
            return f"{d[:4]}.{d[4:6]}.{d[6:]}"


def phone(lang):
    d = str(R.randint(2, 9)) + "".join(str(R.randint(0, 9)) for _ in range(7))
    style = R.randint(0, 2)
    if style == 0:
        return " ".join(d[i:i + 2] for i in range(0, 8, 2))
    if style == 1:
        return ("+45 " if lang == "da" else "+47 ") + d
    return d[:3] + " " + d[3:5] + " " + d[5:]


def email(name):
    f, s = name.lower().split(" ", 1)
    tr = str.maketrans({"ø": "oe", "æ": "ae", "å": "aa"})
    return f"{f.translate(tr)}.{s.translate(tr)}@{R.choice(MAIL)}"


def address(lang):
    if lang == "da":
        pc, town = R.choice(TOWN_DK)
        floor = R.choice(["", ", 1. tv.", ", st. th.", ", 3."])
        return f"{R.choice(STREET_DK)} {R.randint(2, 140)}{floor}, {pc} {town}"
    pc, town = R.choice(TOWN_NO)
    letter = R.choice(["", "A", "B"])
    return f"{R.choice(STREET_NO)} {R.randint(2, 90)}{letter}, {pc} {town}"


SENS_DA = ["sclerose", "depression", "type 2-diabetes", "dømt for indbrud",
           "medlem af FOA", "leddegigt", "misbrug af hash"]
SENS_NO = ["revmatisme", "depresjon", "dømt for underslag",
           "medlem av Fellesforbundet", "epilepsi", "angstlidelse"]

# Frames. {P} person, {C} CPR, {F} fødselsnummer 11 digits, {F65} 6+5 grouping,
# {D} D-nummer, {T} phone, {E} e-mail, {A} address, {I} IBAN, {K} Danish reg.+account
# (several writings), {N} Norwegian account, {S} sensitive term. Literal numbers are
# business data (not labelled).
FRAMES_DA = [
    "Henvendelse fra {P} om kørselsgodtgørelse; hun kan træffes på {T} efter kl. 15.",
    "Udbetalingen på 4.250,00 kr. indbetales på {K} senest den 3. i måneden.",
    "Beløbet overføres til {K} når bilag 2231 er godkendt.",
    "{P} ({C}) er flyttet til {A} pr. 1. marts.",
    "Vi har noteret, at {P} har {S} og derfor ikke kan møde før kl. 10.",
    "Bevillingen sendes til {E}. Faktura 88120034 er betalt.",
    "Refusionen udbetales til {K}, jf. aftale af 12.04.2025.",
    "Pårørende: {P}, mobil {T}, bopæl {A}.",
    "Ansøgeren oplyser personnr. {C} og ønsker svar på {E}.",
    "Betal venligst til bankkonto {I} med reference 55213.",
    "Ifølge journalen: {S}; sagen behandles fortroligt.",
    "Kontakt gerne undertegnede, {P}, hvis der er spørgsmål. Ordrenr. 7781230.",
    "Lejen skal indbetales til {K} hver måned (CVR 31245678).",
    "{P} bor nu på {A} og kan nås på {T}.",
    "Vedr. {C}: hjælpemidlet leveres til {A}.",
    "Honoraret på 12.000 kr. udbetales til reg. {K}.",
    "Orientering sendt til {E} den 14/06/2024 kl. 09.15.",
    "Tolkebistand bestilt til {P}, sagsnr. 2024-118832.",
    "Hun fortæller om {S} og har brug for ro.",
    "Kvittering: 3 stk. à 149,95 kr. Leveres til {A}.",
]
FRAMES_NO = [
    "Melding fra {P} om reiseutgifter; han treffes på {T} etter kl. 15.",
    "Stønaden utbetales til {N} fra neste måned.",
    "{P} (f.nr. {F}) har flyttet til {A}.",
    "Vi har notert at {P} har {S} og trenger tilrettelegging.",
    "Vedtaket sendes til {E}. Fakturanr. 4401982 er betalt.",
    "Pårørende: {P}, telefon {T}, bosted {A}.",
    "Søknaden gjelder {F65}; svar sendes til {E}.",
    "Utbetaling skjer til kontonummer {N}, jf. avtale av 12.04.2025.",
    "Personen med {F} har ikke møtt til samtale.",
    "Innbetal til IBAN {I} og merk med KID 900112233.",
    "Ifølge journalen gjelder det {P}: {S}.",
    "Kontakt gjerne undertegnede, {P}, ved spørsmål. Ordrenr. 5531207.",
    "Registrert D-nummer {D} for sesongarbeider {P}.",
    "{P} bor nå i {A} og kan nås på {T}.",
    "Refusjon på 8 400 kr. overføres til {N}.",
    "Saken gjelder {F} og {F65}, begge søsken.",
    "Kopi sendt til {E} den 14.06.2024 kl. 09.15.",
    "Tolk bestilt til {P}, saksnr. 2024/11883.",
    "Hun forteller om {S} og ønsker ro.",
    "Kvittering: 3 stk. à 149,95 kr. Leveres til {A}.",
]


def dk_account():
    reg = f"{R.randint(1000, 9999)}"
    acc = "".join(str(R.randint(0, 9)) for _ in range(R.choice([7, 8, 10])))
    acc = str(R.randint(1, 9)) + acc[1:]
    return R.choice([f"{reg} {acc}", f"{reg}-{acc}", f"{reg} kt. {acc}"])


def fill(frame, lang):
    text = ""
    spans = []
    i = 0
    while i < len(frame):
        if frame[i] == "{":
            j = frame.index("}", i)
            key = frame[i + 1:j]
            i = j + 1
            name = None
            if key == "P":
                val, typ = person(lang), "PERSON"
            elif key == "C":
                val, typ = cpr(), "CPR"
                if R.random() < 0.5:
                    val = val[:6] + "-" + val[6:]
            elif key == "F":
                val, typ = fnr(), "NO_ID"
            elif key == "F65":
                v = fnr()
                val, typ = v[:6] + " " + v[6:], "NO_ID"
            elif key == "D":
                val, typ = fnr(dnum=True), "NO_ID"
            elif key == "T":
                val, typ = phone(lang), "PHONE"
            elif key == "E":
                name = person(lang)
                val, typ = email(name), "EMAIL"
            elif key == "A":
                val, typ = address(lang), "ADDRESS"
            elif key == "I":
                if lang == "da":
                    bban = "".join(str(R.randint(0, 9)) for _ in range(14))
                    val = iban("DK", bban)
                else:
                    bban = "".join(str(R.randint(0, 9)) for _ in range(11))
                    val = iban("NO", bban)
                typ = "ACCOUNT"
            elif key == "K":
                val, typ = dk_account(), "ACCOUNT"
            elif key == "N":
                val, typ = no_account(), "ACCOUNT"
            elif key == "S":
                val, typ = R.choice(SENS_DA if lang == "da" else SENS_NO), "SENSITIVE"
            else:
                raise ValueError(key)
            start = len(text.encode())
            text += val
            spans.append({"start": start, "end": len(text.encode()), "type": typ,
                          "value": val})
        else:
            text += frame[i]
            i += 1
    return text, spans


def main():
    n = 0
    for rnd in range(4):
        for lang, frames in (("da", FRAMES_DA), ("no", FRAMES_NO)):
            for f in frames:
                text, spans = fill(f, lang)
                print(json.dumps({"id": f"heldout-{n:04}", "lang": lang, "text": text,
                                  "spans": spans}, ensure_ascii=False))
                n += 1


main()
