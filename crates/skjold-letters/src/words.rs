//! The Danish words the letters share: the kinds of request, outcomes, grounds and
//! judgements, the regimes, the supervisory authority's address, and how counts, blank
//! texts and categories of data are shown.

use skjold_core::rights::{
    ErasureGround, Outcome, RectificationJudgement, Regime, RestrictionGround, RightKind,
};

use skjold_core::taxonomy::Category;

use crate::wrap::{Para, para, strong};

/// What the request is about, after "Afgørelse om".
pub(crate) fn subject(kind: RightKind) -> &'static str {
    match kind {
        RightKind::Access => "indsigt",
        RightKind::Rectification => "berigtigelse",
        RightKind::Erasure => "sletning",
        RightKind::Restriction => "begrænsning af behandlingen",
        RightKind::Portability => "dataportabilitet",
        RightKind::Objection => "indsigelse mod behandlingen",
        RightKind::AutomatedDecision => "automatiske afgørelser",
    }
}

/// The request, as the citizen's: "din anmodning om sletning".
pub(crate) fn request(kind: RightKind) -> &'static str {
    match kind {
        RightKind::Access => "din anmodning om indsigt",
        RightKind::Rectification => "din anmodning om berigtigelse",
        RightKind::Erasure => "din anmodning om sletning",
        RightKind::Restriction => "din anmodning om begrænsning af behandlingen",
        RightKind::Portability => "din anmodning om dataportabilitet",
        RightKind::Objection => "din indsigelse mod behandlingen",
        RightKind::AutomatedDecision => {
            "din anmodning om, at en afgørelse om dig ikke alene bygger på automatisk behandling"
        }
    }
}

/// The article of the GDPR the right rests on.
pub(crate) fn article(kind: RightKind) -> &'static str {
    match kind {
        RightKind::Access => "artikel 15",
        RightKind::Rectification => "artikel 16",
        RightKind::Erasure => "artikel 17",
        RightKind::Restriction => "artikel 18",
        RightKind::Portability => "artikel 20",
        RightKind::Objection => "artikel 21",
        RightKind::AutomatedDecision => "artikel 22",
    }
}

/// "imødekommet", "delvist imødekommet", "afslået".
pub(crate) fn outcome(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Granted => "imødekommet",
        Outcome::PartlyGranted => "delvist imødekommet",
        Outcome::Refused => "afslået",
    }
}

/// The rules a request was handled under.
pub(crate) fn regime(regime: Regime) -> &'static str {
    match regime {
        Regime::Gdpr => "databeskyttelsesforordningen",
        Regime::GdprAndPublicRecords => "databeskyttelsesforordningen og offentlighedsloven",
        Regime::GdprPublicAdministrationAndPublicRecords => {
            "databeskyttelsesforordningen, forvaltningsloven og offentlighedsloven"
        }
        Regime::PublicAdministrationAndPublicRecords => "forvaltningsloven og offentlighedsloven",
    }
}

/// The ground of an erasure or a restriction, or the judgement of a rectification, in
/// words; none for a kind without one or a key not known.
pub(crate) fn ground(kind: RightKind, key: &str) -> Option<&'static str> {
    match kind {
        RightKind::Erasure => ErasureGround::parse(key).ok().map(erasure_ground),
        RightKind::Restriction => RestrictionGround::parse(key).ok().map(restriction_ground),
        RightKind::Rectification => RectificationJudgement::parse(key).ok().map(judgement),
        _ => None,
    }
}

fn erasure_ground(g: ErasureGround) -> &'static str {
    match g {
        ErasureGround::NoLongerNeeded => {
            "Oplysningerne er ikke længere nødvendige til de formål, de blev indsamlet eller \
             behandlet til (artikel 17, stk. 1, litra a)."
        }
        ErasureGround::ConsentWithdrawn => {
            "Du har trukket dit samtykke tilbage, og der er ikke noget andet retsgrundlag for \
             behandlingen (artikel 17, stk. 1, litra b)."
        }
        ErasureGround::Objection => {
            "Din anmodning er behandlet som en indsigelse mod behandlingen (artikel 17, stk. 1, \
             litra c, og artikel 21)."
        }
        ErasureGround::Unlawful => {
            "Oplysningerne er blevet behandlet ulovligt (artikel 17, stk. 1, litra d). Kommunen \
             har pligt til at kunne dokumentere, hvad der er sket i sagen, og derfor bliver \
             oplysningerne ikke slettet, men markeret som ulovligt behandlet og gemt som \
             dokumentation. De bliver ikke brugt i sagsbehandlingen."
        }
        ErasureGround::Prohibited => {
            "Oplysningerne er behandlet i strid med et udtrykkeligt forbud i lovgivningen \
             (artikel 17, stk. 1, litra d)."
        }
        ErasureGround::LegalObligation => {
            "Oplysningerne skal slettes, fordi kommunen har pligt til det efter lovgivningen \
             (artikel 17, stk. 1, litra e)."
        }
    }
}

fn restriction_ground(g: RestrictionGround) -> &'static str {
    match g {
        RestrictionGround::AccuracyDisputed => {
            "Du har bestridt, at oplysningerne er rigtige. Mens vi undersøger det, må \
             oplysningerne kun opbevares og ikke bruges (artikel 18, stk. 1, litra a)."
        }
        RestrictionGround::UnlawfulNotErased => {
            "Behandlingen er ulovlig, og du har bedt om, at oplysningerne bliver begrænset i \
             stedet for slettet (artikel 18, stk. 1, litra b)."
        }
        RestrictionGround::LegalClaims => {
            "Kommunen har ikke længere brug for oplysningerne, men du har brug for dem for at \
             kunne fastlægge, gøre gældende eller forsvare et retskrav (artikel 18, stk. 1, \
             litra c)."
        }
        RestrictionGround::ObjectionPending => {
            "Du har gjort indsigelse mod behandlingen. Mens vi undersøger, om kommunens grunde \
             til behandlingen går forud for dine, må oplysningerne kun opbevares (artikel 18, \
             stk. 1, litra d)."
        }
    }
}

fn judgement(j: RectificationJudgement) -> &'static str {
    match j {
        RectificationJudgement::Incorrect => {
            "Vi er enige i, at oplysningerne er forkerte. De er markeret som forkerte, og \
             rettelsen står ved siden af dem. De oprindelige oplysninger bliver ikke overskrevet, \
             fordi kommunen skal kunne dokumentere, hvad sagen bygger på."
        }
        RectificationJudgement::Correct => {
            "Vi vurderer, at oplysningerne er rigtige, og de bliver derfor ikke ændret. Din \
             anmodning, vores svar og begrundelsen er lagt på sagen."
        }
        RectificationJudgement::Opinion => {
            "Oplysningerne er en vurdering eller en udtalelse, som gengiver, hvad nogen har \
             ment, og ikke et faktum, der kan rettes. Din egen bemærkning er tilføjet ved siden \
             af oplysningerne."
        }
        RectificationJudgement::Misfiled => {
            "Oplysningerne var ved en fejl registreret på dig. De er fjernet fra dine \
             oplysninger."
        }
    }
}

/// A kind of another person's data, as the scrubber names it, in words.
pub(crate) fn third_party_kind(kind: &str) -> String {
    match kind.trim().to_ascii_lowercase().as_str() {
        "cpr" => "CPR-nummer".to_owned(),
        "no_id" => "norsk personnummer".to_owned(),
        "person" => "navn".to_owned(),
        "email" => "e-mailadresse".to_owned(),
        "phone" => "telefonnummer".to_owned(),
        "address" => "adresse".to_owned(),
        "account" => "kontonummer".to_owned(),
        "sensitive" => "følsomme oplysninger".to_owned(),
        _ => kind.to_owned(),
    }
}

/// The supervisory authority, as an address block.
pub(crate) fn datatilsynet() -> Vec<Para> {
    vec![
        vec![strong("Datatilsynet")],
        para("Carl Jacobsens Vej 35"),
        para("2500 Valby"),
        para("dt@datatilsynet.dk"),
    ]
}

/// A text, or "Ikke oplyst" when it is blank.
pub(crate) fn or_none(s: &str) -> String {
    match s.trim() {
        "" => "Ikke oplyst".to_owned(),
        t => t.to_owned(),
    }
}

/// Categories of data, in words, separated by commas; "Ingen" when there are none.
pub(crate) fn categories(cs: &[Category]) -> String {
    if cs.is_empty() {
        return "Ingen".to_owned();
    }
    cs.iter().map(|c| c.danish()).collect::<Vec<_>>().join(", ")
}

/// A count the Danish way, with a point between the thousands: `12.500`.
pub(crate) fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ground_and_judgement_has_words() {
        for g in ErasureGround::ALL {
            assert!(ground(RightKind::Erasure, g.key()).is_some());
        }
        for g in RestrictionGround::ALL {
            assert!(ground(RightKind::Restriction, g.key()).is_some());
        }
        for j in RectificationJudgement::ALL {
            assert!(ground(RightKind::Rectification, j.key()).is_some());
        }
        assert_eq!(ground(RightKind::Erasure, "nonsense"), None);
        assert_eq!(ground(RightKind::Portability, "objection"), None);
    }

    #[test]
    fn counts_have_points_between_the_thousands() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_250), "1.250");
        assert_eq!(number(12_500_000), "12.500.000");
    }
}
