//! Each letter renders for a realistic case, passes krilla's PDF/UA-1 validation (the
//! letters are only ever written with it: a letter that failed would be an error here),
//! carries its title and language, and reads back as text.

mod fixtures;

use fixtures::{CITIZEN, CONTROLLER, PROCESSOR, SUB_PROCESSOR, SUPPLIER, UNIT_CARE, UNIT_JOBS};
use skjold_core::breaches::{ClockKind, Notifications};
use skjold_core::rights::{Outcome, RightKind};

/// The text of a PDF, as a reader extracts it, with white space made single spaces so a
/// phrase broken over lines is still found.
fn text_of(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf)
        .unwrap_or_else(|e| panic!("the PDF's text extracts: {e}"));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// What every letter has: a PDF 1.7 file declaring PDF/UA-1, tagged, in Danish, with its
/// title shown.
fn assert_accessible(pdf: &[u8], title: &str) {
    assert!(pdf.starts_with(b"%PDF-1.7"), "a PDF 1.7 file");
    assert_eq!(
        count(pdf, "<pdfuaid:part>1</pdfuaid:part>"),
        1,
        "declares PDF/UA-1"
    );
    assert!(
        count(pdf, "/Lang(da)") >= 2,
        "language on the catalogue and the document"
    );
    assert!(
        count(pdf, "<rdf:li>da</rdf:li>") == 1,
        "language in the metadata"
    );
    assert_eq!(count(pdf, "/MarkInfo<</Marked true"), 1, "tagged");
    assert!(count(pdf, "/StructTreeRoot") >= 1);
    assert!(count(pdf, "/DisplayDocTitle true") == 1);
    let xmp_title = format!("<rdf:li xml:lang=\"x-default\">{title}</rdf:li>");
    assert_eq!(count(pdf, &xmp_title), 1, "the title {title}");
}

fn pages(pdf: &[u8]) -> usize {
    count(pdf, "/Type/Page") - count(pdf, "/Type/Pages")
}

#[test]
fn the_access_answer_follows_the_template_and_copies_the_data() {
    let answer = fixtures::access_answer(120);
    let pdf = skjold_letters::access_answer(&answer).expect("the answer renders");
    assert_accessible(
        &pdf,
        "Svar på din anmodning om indsigt – sag RET-2026-00042",
    );
    assert!(
        pages(&pdf) >= 5,
        "the copy runs over pages: {}",
        pages(&pdf)
    );
    let text = text_of(&pdf);
    for expected in [
        CONTROLLER,
        CITIZEN,
        "RET-2026-00042",
        "02.11.2026",
        "Svar på din anmodning om indsigt",
        "databeskyttelsesforordningen og offentlighedsloven",
        "1. Formålene med behandlingen og retsgrundlaget",
        "LAB § 22",
        "2. De berørte kategorier af personoplysninger",
        "Helbred",
        "3. Modtagere af personoplysningerne",
        SUPPLIER,
        "ORD-2026-1187",
        "Praktikstedet skal kende skånehensynene",
        "Fritekst i besked",
        "Ingen af dine oplysninger overføres til lande uden for EU og EØS",
        "4. Opbevaring",
        "5 år efter sagens afslutning",
        "ikke oplyst",
        "5. Dine rettigheder",
        "6. Klage til Datatilsynet",
        "Datatilsynet",
        "Carl Jacobsens Vej 35",
        "2500 Valby",
        "dt@datatilsynet.dk",
        "7. Hvor oplysningerne stammer fra",
        "Udbetaling Danmark",
        "8. Automatiske afgørelser",
        "Ydelsens størrelse beregnes automatisk ud fra din indkomst",
        "artikel 22, stk. 3",
        "9. Overførsel til tredjelande",
        "Kopi af dine oplysninger",
        "Ærtebjergvej 17, 2. th., 2300 København S",
        "Begrænset",
        "Berigtiget: Den rigtige adresse er Ærtebjergvej 19, ikke 17.",
        "Din bemærkning: Jeg har aldrig sagt",
        "Oplysninger fra andre enheder og leverandører",
        "Center for Sundhed og Omsorg",
        "Side 1 af",
    ] {
        assert!(text.contains(expected), "the answer says {expected:?}");
    }
    assert!(!text.contains("UDKAST"));
    assert!(!text.contains("Borgergade"), "not the old address");
}

#[test]
fn an_answer_with_third_parties_left_is_a_draft() {
    let pdf = skjold_letters::access_answer(&fixtures::draft(3)).expect("the draft renders");
    assert_accessible(
        &pdf,
        "UDKAST – ikke sendt: Svar på din anmodning om indsigt – sag RET-2026-00042",
    );
    let text = text_of(&pdf);
    assert!(text.contains("UDKAST – ikke sendt: Svar på din anmodning om indsigt"));
    assert!(text.contains("Dette er et udkast."));
}

#[test]
fn automated_decisions_are_what_the_purposes_declare() {
    let mut answer = fixtures::access_answer(2);
    for p in &mut answer.purposes {
        p.automated_decision.clear();
    }
    let text = text_of(&skjold_letters::access_answer(&answer).expect("renders"));
    assert!(
        text.contains("Ingen af formålene omfatter afgørelser, der alene bygger på automatisk")
    );
    assert!(!text.contains("artikel 22, stk. 3"));
}

#[test]
fn transfers_to_third_countries_are_listed() {
    let mut answer = fixtures::access_answer(2);
    answer.transfers = vec!["Cloudtjeneste i USA, EU-standardkontraktbestemmelser".to_owned()];
    answer.recipients.clear();
    let text = text_of(&skjold_letters::access_answer(&answer).expect("renders"));
    assert!(text.contains("Vi har ikke videregivet dine oplysninger til andre."));
    assert_eq!(text.matches("EU-standardkontraktbestemmelser").count(), 2);
    assert!(text.contains("artikel 46"));
}

#[test]
fn a_granted_erasure_says_the_data_is_deleted_and_when_the_backups_expire() {
    let letter = fixtures::decision(
        RightKind::Erasure,
        Outcome::Granted,
        Some("consent_withdrawn"),
    );
    let pdf = skjold_letters::decision(&letter).expect("the decision renders");
    assert_accessible(&pdf, "Afgørelse om sletning – sag RET-2026-00043");
    let text = text_of(&pdf);
    for expected in [
        CITIZEN,
        CONTROLLER,
        "RET-2026-00043",
        "20.10.2026",
        "16.11.2026",
        "Afgørelse om sletning",
        "imødekommer din anmodning om sletning",
        "artikel 17",
        "Du har trukket dit samtykke tilbage",
        "Derfor er vi nået frem til afgørelsen.",
        "Dine oplysninger er slettet.",
        "udløber senest den 14.02.2027",
        "Fjernet",
        "Klagevejledning",
        "Datatilsynet",
        "Carl Jacobsens Vej 35",
    ] {
        assert!(text.contains(expected), "the decision says {expected:?}");
    }
}

#[test]
fn rectification_restriction_and_refusals_say_what_was_decided() {
    let misfiled = fixtures::decision(RightKind::Rectification, Outcome::Granted, Some("misfiled"));
    let text = text_of(&skjold_letters::decision(&misfiled).expect("renders"));
    assert!(text.contains("ved en fejl registreret på dig"));
    assert!(text.contains("Fjernet"));
    assert!(text.contains("underrettet dem om ændringen"));

    let incorrect = fixtures::decision(
        RightKind::Rectification,
        Outcome::Granted,
        Some("incorrect"),
    );
    let text = text_of(&skjold_letters::decision(&incorrect).expect("renders"));
    assert!(text.contains("Berigtiget: Den rigtige adresse er Ærtebjergvej 19"));
    assert!(!text.contains("Fjernet"));

    let restriction = fixtures::decision(
        RightKind::Restriction,
        Outcome::PartlyGranted,
        Some("accuracy_disputed"),
    );
    let text = text_of(&skjold_letters::decision(&restriction).expect("renders"));
    assert!(text.contains("imødekommer delvist din anmodning om begrænsning af behandlingen"));
    assert!(text.contains("Delvist imødekommet"));
    assert!(text.contains("Du har bestridt, at oplysningerne er rigtige."));

    let refused = fixtures::decision(RightKind::Portability, Outcome::Refused, None);
    let text = text_of(&skjold_letters::decision(&refused).expect("renders"));
    assert!(text.contains("afslår din anmodning om dataportabilitet"));
    assert!(text.contains("Afslået"));
    assert!(text.contains("Datatilsynet"));
    assert!(!text.contains("slettet"));
}

#[test]
fn the_extension_notice_gives_both_deadlines_and_the_reason() {
    let pdf = skjold_letters::extension(&fixtures::extension()).expect("the notice renders");
    assert_accessible(&pdf, "Forlængelse af fristen for svar – sag RET-2026-00044");
    let text = text_of(&pdf);
    for expected in [
        CITIZEN,
        CONTROLLER,
        "RET-2026-00044",
        "31.10.2026",
        "30.11.2026",
        "31.01.2027",
        "artikel 12, stk. 3",
        "Din anmodning omfatter oplysninger i fem forvaltninger",
        "Datatilsynet",
    ] {
        assert!(text.contains(expected), "the notice says {expected:?}");
    }
}

#[test]
fn text_the_font_cannot_show_does_not_stop_a_letter() {
    let mut notice = fixtures::extension();
    notice.citizen_name = "Ana 山田 \u{1F600} Østergård".to_owned();
    notice.reason = format!(
        "{}\u{0}\u{FEFF}\u{E000} {}",
        "Ordet ".repeat(3),
        "Beskæftigelsesforvaltningens".repeat(8)
    );
    let pdf = skjold_letters::extension(&notice).expect("renders all the same");
    let text = text_of(&pdf);
    assert!(text.contains("Ana"), "{text}");
    assert!(text.contains("Østergård"));
}

#[test]
fn a_copy_of_a_thousand_rows_renders() {
    let pdf = skjold_letters::access_answer(&fixtures::access_answer(1000)).expect("renders");
    assert!(pages(&pdf) > 50, "{} pages", pages(&pdf));
}

#[test]
fn empty_names_and_sections_still_make_a_valid_letter() {
    let mut answer = fixtures::access_answer(3);
    answer.recipients[0].supplier = " ".to_owned();
    answer.recipients[0].disclosures[0].justification = Some(String::new());
    answer.contributions = vec![(String::new(), String::new())];
    answer.items[0].value = String::new();
    let pdf = skjold_letters::access_answer(&answer).expect("renders");
    assert!(text_of(&pdf).contains("ORD-2026-1187"));

    answer.purposes.clear();
    answer.categories.clear();
    answer.sources.clear();
    answer.items.clear();
    answer.contributions.clear();
    let text = text_of(&skjold_letters::access_answer(&answer).expect("renders"));
    for expected in [
        "Vi har ikke registreret formål",
        "Vi behandler ingen kategorier af oplysninger om dig.",
        "Opbevaringsperioden er ikke oplyst.",
        "Vi har ikke registreret andre kilder",
        "Vi har ingen oplysninger registreret om dig.",
        "Ingen andre enheder eller leverandører har bidraget til svaret.",
    ] {
        assert!(text.contains(expected), "the answer says {expected:?}");
    }
}

#[test]
fn an_erasure_reported_with_its_backups_is_told_as_deleted() {
    let mut letter = fixtures::decision(RightKind::Erasure, Outcome::Granted, None);
    let text = text_of(&skjold_letters::decision(&letter).expect("renders"));
    assert!(text.contains("udløber senest den 14.02.2027"));
    letter.ground = Some("unlawful".to_owned());
    letter.key_gone_by = None;
    let text = text_of(&skjold_letters::decision(&letter).expect("renders"));
    assert!(text.contains("markeret som ulovligt behandlet"));
    assert!(!text.contains("Dine oplysninger er slettet."));
    assert!(!text.contains("Fjernet"));
}

#[test]
fn the_records_of_processing_list_units_processors_and_the_review() {
    let records = fixtures::records();
    let version = fixtures::records_version();
    let pdf = skjold_letters::records_of_processing(&records, Some(&version))
        .expect("the records render");
    assert!(pdf.starts_with(b"%PDF"));
    assert_accessible(
        &pdf,
        &format!("Fortegnelse over behandlingsaktiviteter – {CONTROLLER}, version 3"),
    );
    let text = text_of(&pdf);
    for expected in [
        "Fortegnelse over behandlingsaktiviteter",
        CONTROLLER,
        "CVR-nummer: 64942212",
        "Version: 3",
        "Årlig gennemgang",
        "1. Den dataansvarlige og databeskyttelsesrådgiveren",
        "Mette Ølgaard",
        "databeskyttelse@kk.dk",
        "2. Behandlingsaktiviteter (artikel 30, stk. 1)",
        UNIT_JOBS,
        UNIT_CARE,
        "Virksomhedspraktik med mentorstøtte",
        "Retsgrundlag: Art. 6, stk. 1, litra e; LAB § 22",
        "Kategorier af personoplysninger: Identitet, Helbred",
        "5 år efter sagens afslutning",
        SUPPLIER,
        "1.250",
        "Hjemmepleje",
        "Modtagere: Ingen",
        "Indberettet af enheden",
        "3. Databehandlere (artikel 30, stk. 2)",
        PROCESSOR,
        "DBA-2026-007, version 2",
        SUB_PROCESSOR,
        "Tyskland",
        "Atlantic Support Inc.",
        "EU-standardkontraktbestemmelser (2021/914)",
        "Højt (ISO 27001-certificeret)",
        "4. Tekniske og organisatoriske sikkerhedsforanstaltninger",
        "Hver brug af en borgers oplysninger logges.",
    ] {
        assert!(
            text.contains(expected),
            "the records say {expected:?}: {text}"
        );
    }
    assert!(!text.contains("Ikke gennemgået"));

    let draft = skjold_letters::records_of_processing(&records, None).expect("renders");
    assert_accessible(
        &draft,
        &format!("Fortegnelse over behandlingsaktiviteter – {CONTROLLER}"),
    );
    let text = text_of(&draft);
    assert!(text.contains("Ikke gennemgået"));
    assert!(!text.contains("Version: 3"));
}

#[test]
fn the_breach_report_follows_the_authoritys_form_with_its_deadlines() {
    let breach = fixtures::breach();
    let authority = fixtures::clock(&breach, ClockKind::Authority);
    assert_eq!(authority.due, fixtures::at(82), "72 hours from awareness");
    let pdf = skjold_letters::breach_report(&breach, CONTROLLER).expect("the report renders");
    assert!(pdf.starts_with(b"%PDF"));
    assert_accessible(
        &pdf,
        "Anmeldelse af brud på persondatasikkerheden – sag BRUD-2026-0007",
    );
    let text = text_of(&pdf);
    let at = |hours: i64| fixtures::at(hours).danish();
    let lines = [
        format!("Bruddet skete: {}", at(-2)),
        format!("Den dataansvarlige blev opmærksom på bruddet: {}", at(10)),
        format!("Databehandleren blev opmærksom på bruddet: {}", at(0)),
        format!("{} – {}", at(-48), at(0)),
        // The processor's 24 hours, met; the authority's 72 hours, met late; the persons'.
        format!("{} {} Opfyldt rettidigt", at(24), at(5)),
        format!("{} {} Opfyldt for sent", at(82), at(90)),
        format!("{} Ikke opfyldt Overskredet", at(82)),
    ];
    for expected in &lines {
        assert!(
            text.contains(expected.as_str()),
            "the report says {expected:?}: {text}"
        );
    }
    for expected in [
        "Anmeldelse af brud på persondatasikkerheden",
        "BRUD-2026-0007",
        "1. Dataansvarlig og kontaktpunkt",
        CONTROLLER,
        "Kontaktpunkt: Mette Ølgaard, databeskyttelsesrådgiver",
        PROCESSOR,
        "2. Bruddet",
        "Fortrolighed (uautoriseret adgang eller videregivelse)",
        "Tilgængelighed (tab eller utilgængelighed)",
        "bærbare computer blev stjålet",
        "3. Berørte personer og personoplysninger",
        "Borgere i beskæftigelsesindsats",
        "Omtrentligt antal berørte personer: 1.250",
        "Omtrentligt antal berørte registreringer: 4.800",
        "Kategorier af personoplysninger: Identitet, Helbred",
        "Berørte personer fundet i loggen",
        "Brugeren: Jens Kofoed",
        "Berørte personer: 312",
        "Poster i adgangsloggen: 2.040",
        "97",
        "4. Sandsynlige konsekvenser",
        "Uvedkommende kan have set oplysninger",
        "høj risiko",
        "5. Trufne eller foreslåede foranstaltninger",
        "alle bærbare krypteres",
        "6. Underretning af de registrerede og frister",
        "de er endnu ikke underrettet",
        "Databehandleraftalens frist for underretning af den dataansvarlige: 24 timer",
        "Anmeldelse til Datatilsynet (art. 33, stk. 1)",
        "Omfanget skulle først opgøres.",
    ] {
        assert!(
            text.contains(expected),
            "the report says {expected:?}: {text}"
        );
    }
}

#[test]
fn a_breach_without_risk_has_no_deadlines_and_no_notification() {
    let mut breach = fixtures::breach();
    breach.report.high_risk = false;
    breach.report.no_risk = true;
    breach.report.processor_aware_at = None;
    breach.report.occurred_at = None;
    breach.report.consequences.clear();
    breach.processor_name = None;
    breach.affected = None;
    breach.notifications = Notifications::default();
    breach.clocks =
        skjold_core::breaches::clocks(&breach.report, 24, &breach.notifications, fixtures::at(100));
    assert!(breach.clocks.is_empty());
    let pdf = skjold_letters::breach_report(&breach, CONTROLLER).expect("renders");
    let text = text_of(&pdf);
    for expected in [
        "Tidspunktet er ikke kendt",
        "Ikke beskrevet.",
        "ikke vurderes at indebære en høj risiko",
        "Ingen frister gælder",
    ] {
        assert!(
            text.contains(expected),
            "the report says {expected:?}: {text}"
        );
    }
    for absent in [
        "Berørte personer fundet i loggen",
        "Databehandleren blev",
        "Overskredet",
    ] {
        assert!(!text.contains(absent), "the report does not say {absent:?}");
    }
}
