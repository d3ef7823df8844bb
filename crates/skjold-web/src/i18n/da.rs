//! Danish: the first language of the UI, and of the API's messages by default.

use skjold_core::Problem;
use skjold_core::consents::Channel;
use skjold_core::error::{Confirm, DateInput, GuardStop, IdInput, Input, Setting};

fn input(i: Input) -> &'static str {
    match i {
        Input::Name => "navnet",
        Input::DisplayName => "navnet",
        Input::Username => "brugernavnet",
        Input::PurposeName => "formålets navn",
        Input::ServiceCode => "ydelseskoden",
        Input::ServiceName => "ydelsens navn",
        Input::DpaReference => "aftalens reference",
        Input::Description => "beskrivelsen",
        Input::Instructions => "instrukserne",
        Input::NationalLaw => "den nationale hjemmel",
        Input::Cvr => "CVR-nummeret",
        Input::Reason => "begrundelsen",
        Input::Justification => "begrundelsen",
        Input::RejectionReason => "begrundelsen for afvisningen",
        Input::Note => "noten",
        Input::Message => "beskeden",
        Input::Confirmation => "begrundelsen for at sende alligevel",
        Input::Evidence => "oplysningen om, hvordan samtykket blev givet",
        Input::NoticeVersion => "samtykketekstens version",
        Input::Place => "stedet",
        Input::Time => "klokkeslættet",
        Input::Password => "adgangskoden",
        Input::Email => "e-mailadressen",
        Input::Filename => "filnavnet",
        Input::Setting => "indstillingen",
        Input::RequestDescription => "beskrivelsen af anmodningen",
        Input::ScopeDetail => "angivelsen af området",
        Input::Remarks => "bemærkningerne",
        Input::ExtensionReason => "begrundelsen for forlængelsen",
        Input::IdentityMethod => "måden, identiteten blev kontrolleret på",
        Input::DecisionReasons => "begrundelsen for afgørelsen",
        Input::RectificationNote => "berigtigelsesnotatet",
        Input::Statement => "borgerens bemærkning",
        Input::Situation => "borgerens særlige situation",
        Input::Grounds => "kommunens vægtige legitime grunde",
        Input::Safeguards => "garantierne (artikel 22, stk. 3)",
        Input::ContactPoint => "kontaktpunktet",
        Input::Consequences => "de sandsynlige konsekvenser",
        Input::Measures => "foranstaltningerne",
        Input::SubjectCategories => "kategorierne af registrerede",
        Input::DataCategories => "kategorierne af oplysninger",
        Input::SecurityLevel => "sikkerhedsniveauet",
        Input::RetentionAndReturn => "opbevaring og tilbagelevering ved ophør",
        Input::AuditTerms => "vilkårene for revision og tilsyn",
        Input::LegalReference => "hjemlen",
        Input::Country => "landet",
        Input::Document => "dokumentet",
        Input::ProcessingName => "behandlingens navn",
        Input::RulesBody => "sikkerhedsreglernes tekst",
        Input::Retention => "opbevaringsperioden",
        Input::Contribution => "bidraget",
        Input::DatumValue => "værdien",
        Input::DatumSource => "kilden",
        Input::DatumPurpose => "formålet",
        Input::Task => "opgaven",
        Input::Scope => "omfanget",
        Input::SupplierRemark => "bemærkningen til leverandøren",
    }
}

fn date(d: DateInput) -> &'static str {
    match d {
        DateInput::Start => "startdatoen",
        DateInput::End => "slutdatoen",
        DateInput::From => "fra-datoen",
        DateInput::Until => "til-datoen",
        DateInput::Appointment => "datoen",
        DateInput::Received => "modtagelsesdatoen",
    }
}

fn id(i: IdInput) -> &'static str {
    match i {
        IdInput::Citizen => "borger",
        IdInput::Order => "bestilling",
        IdInput::Organisation => "organisation",
        IdInput::Purpose => "formål",
        IdInput::ServiceType => "ydelsestype",
        IdInput::Supplier => "leverandør",
        IdInput::User => "bruger",
        IdInput::Block => "spærring",
        IdInput::Page => "sideposition",
    }
}

fn setting(s: Setting) -> &'static str {
    match s {
        Setting::LockoutThreshold => "Antal fejlforsøg før spærring",
        Setting::LockoutWindowHours => "Tidsvinduet i timer",
        Setting::BlockMinutes => "Spærretiden i minutter",
    }
}

fn channel(c: Channel) -> &'static str {
    c.danish()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn guard(g: &GuardStop) -> String {
    format!(
        "Beskeden indeholder {}. Ret teksten, eller bekræft afsendelsen med en begrundelse på mindst {} tegn.",
        guard_found(g).join("; "),
        g.min
    )
}

/// The guard's refusal of an order's own text: it goes with the order, unconfirmed.
fn order_text_guard(i: Input, g: &GuardStop) -> String {
    format!(
        "{} indeholder {}. Bestillingens tekst sendes til leverandøren uden kontrol af en begrundelse, så ret teksten. Skal leverandøren have oplysningen, så videregiv den på bestillingen med en begrundelse, når bestillingen er sendt.",
        capitalised(input(i)),
        guard_found(g).join("; ")
    )
}

/// What the guard found, each kind in a phrase.
fn guard_found(g: &GuardStop) -> Vec<String> {
    let mut found = Vec::new();
    if g.cpr_numbers > 0 {
        found.push("et CPR-nummer".to_owned());
    }
    if !g.sensitive_terms.is_empty() {
        found.push(format!(
            "følsomme oplysninger ({})",
            g.sensitive_terms.join(", ")
        ));
    }
    if !g.unreadable.is_empty() {
        found.push(format!(
            "vedhæftninger, hvis tekst ikke kan læses ({})",
            g.unreadable.join(", ")
        ));
    }
    if !g.undisclosed.is_empty() {
        let names: Vec<&str> = g.undisclosed.iter().map(|f| f.danish()).collect();
        found.push(format!(
            "oplysninger om borgeren, som leverandøren ikke har fået: {}",
            names.join(", ")
        ));
    }
    found
}

/// The problem in Danish, as a sentence.
pub fn problem(p: &Problem) -> String {
    use Problem::*;
    match p {
        Required(i) => format!("{} skal udfyldes.", capitalised(input(*i))),
        TooShort {
            input: Input::Justification,
            min,
        } => format!("Videregivelse kræver en skriftlig begrundelse på mindst {min} tegn."),
        TooShort { input: i, min } => {
            format!("{} skal være på mindst {min} tegn.", capitalised(input(*i)))
        }
        TooLong { input: i, max } => {
            format!("{} må højst være på {max} tegn.", capitalised(input(*i)))
        }
        ControlCharacters(i) => format!(
            "{} indeholder kontroltegn, som ikke kan gemmes.",
            capitalised(input(*i))
        ),
        CprFormat => "CPR-nummeret skal have 10 cifre, evt. med bindestreg efter de første 6.".into(),
        CprImpossibleDate => "CPR-nummeret indeholder ikke en gyldig fødselsdato.".into(),
        CprFutureDate => "CPR-nummerets fødselsdato ligger i fremtiden.".into(),
        CvrFormat => "CVR-nummeret skal have 8 cifre og må ikke begynde med 0.".into(),
        CvrChecksum => "CVR-nummeret har et forkert kontrolciffer.".into(),
        UnknownField(f) => format!("Ukendt datafelt «{f}»."),
        UnknownPurpose(p) => format!("Myndigheden har intet formål ved navn «{p}»."),
        FieldNotRecordable(f) => format!("{} registreres med borgeren og kan ikke registreres som oplysning.", capitalised(f.danish())),
        FieldRepeated(f) => format!("Feltet {} er angivet mere end én gang.", f.danish().to_lowercase()),
        BadDate(d) => format!(
            "{} er ikke en gyldig dato; brug formatet ÅÅÅÅ-MM-DD.",
            capitalised(date(*d))
        ),
        BadTime => "Klokkeslæt skal skrives TT:MM.".into(),
        BadId(i) => format!("Ukendt {}.", id(*i)),
        BadChannel => "Kanalen skal være sms eller email.".into(),
        BadKind => "Vælg en organisationstype (unit eller supplier).".into(),
        BadOrderReference => "Bestillingsnummeret må kun indeholde bogstaver, tal og bindestreg, fx B-1A2B3C4D eller begyndelsen af det.".into(),
        BadOrderStatus(s) => format!("Ukendt status «{s}»; vælg Åben eller Afsluttet."),
        BadRole(r) => format!("«{r}» er ikke en rolle."),
        BadRule { field, rule } => format!("Ukendt regel «{rule}» for {}.", field.danish()),
        BadArt6 => "Vælg et retsgrundlag efter art. 6, stk. 1.".into(),
        BadArt9 => "Ukendt grundlag efter art. 9, stk. 2.".into(),
        BadDecision => "Vælg en af mulighederne.".into(),
        ExportFormat(f) => format!("Ukendt eksportformat «{f}»; brug jsonl eller csv."),
        LogProofUnavailable(why) => format!("Loggen kan ikke bevise det: {why}."),
        AnswerFormat(f) => format!("Ukendt format «{f}»; brug json eller pdf."),
        EmailFormat(e) => format!("«{e}» er ikke en e-mailadresse."),
        UsernameFormat => "Brugernavnet skal være 2–64 tegn: bogstaver a–z, tal, punktum, bindestreg, understregning eller @.".into(),
        PasswordTooShort { min } => format!("Adgangskoden skal have mindst {min} tegn."),
        PasswordMismatch => "De to nye adgangskoder er ikke ens.".into(),
        PasswordUnchanged => "Den nye adgangskode skal være forskellig fra den nuværende.".into(),
        SettingOutOfRange { setting: s, min, max, given } => format!(
            "{} skal være et helt tal fra {min} til {max} (ikke «{given}»).",
            setting(*s)
        ),
        RetentionTooShort { min } => format!("Loggen skal gemmes i mindst {min} måneder."),
        ConfirmationRequired(Confirm::CloseOrder) => {
            "Bekræft, at bestillingen skal afsluttes.".into()
        }
        ConfirmationRequired(Confirm::Deletion) => {
            "Sæt kryds for at bekræfte, at kopierne er slettet.".into()
        }
        BadRequestBody(detail) => format!("Forespørgslens indhold kan ikke læses ({detail})."),
        FormInvalid(detail) => format!("Formularen er ikke udfyldt korrekt ({detail})."),
        FormTooLarge => "Formularen er for stor.".into(),
        ReminderContent => "Stedet må ikke indeholde navne, numre eller følsomme oplysninger – kun adresse eller lokale.".into(),
        MessageEmpty => "Beskeden er tom.".into(),
        MessageTooLong { max } => format!("Beskeden er for lang (højst {max} tegn)."),
        TooManyAttachments { max } => format!("Højst {max} vedhæftninger pr. besked."),
        AttachmentEmpty(name) => format!("Filen «{name}» er tom."),
        AttachmentTooLarge { name, max_mb } => {
            format!("Filen «{name}» er større end {max_mb} MB.")
        }
        AttachmentType(name) => format!(
            "Filen «{name}» har en type, der ikke kan sendes (tilladt: PDF, PNG, JPEG, DOCX, XLSX, ODT og tekst)."
        ),
        AttachmentDisguised { name, content_type } => format!(
            "Filen «{name}» er ikke, hvad navnet siger (indholdet er {content_type})."
        ),
        AttachmentEncoding(name) => format!("«{name}» er ikke gyldig base64."),
        GuardConfirmationRequired(g) => guard(g),
        OrderTextGuard { input: i, stop } => order_text_guard(*i, stop),
        GeneralThreadCpr => "Den generelle tråd er til sager, der ikke angår en borger; beskeden eller en vedhæftning indeholder et CPR-nummer. Skriv om borgeren i bestillingens tråd.".into(),
        FieldsRequired => "Vælg mindst én oplysning.".into(),
        FieldUndecided(f) => format!("Vælg Godkend eller Afvis ved {}: hver oplysning i anmodningen skal afgøres.", f.danish().to_lowercase()),
        FieldNotRequested(f) => format!("Anmodningen omfatter ikke {}. Afgør kun de oplysninger, leverandøren har bedt om.", f.danish().to_lowercase()),
        FieldDecisionText { field: f, problem: p } => match p.as_ref() {
            Required(Input::RejectionReason) => format!(
                "Skriv, hvorfor {} afvises: afvisningen kræver en begrundelse på mindst {} tegn.",
                f.danish().to_lowercase(),
                skjold_core::text::MIN_JUSTIFICATION
            ),
            TooShort { input: Input::RejectionReason, min } => format!(
                "Skriv, hvorfor {} afvises: afvisningen kræver en begrundelse på mindst {min} tegn.",
                f.danish().to_lowercase()
            ),
            p => format!("{}: {}", f.danish(), problem(p)),
        },
        BadCredentials => "Forkert brugernavn eller adgangskode.".into(),
        BadSecondFactor => "Engangskoden er forkert eller allerede brugt.".into(),
        SignInExpired => "Log-ind er udløbet; start forfra.".into(),
        SignInBlocked => "For mange forkerte forsøg: bruger-ID eller arbejdsstation er spærret et stykke tid. Prøv igen senere.".into(),
        SecondFactorRequired => "Rollen kræver en engangskode ved log-ind.".into(),
        NewPasswordRequired => "Administratoren kræver, at du vælger en ny adgangskode.".into(),
        WrongCurrentPassword => "Den nuværende adgangskode er forkert.".into(),
        OwnPasswordReset => "Din egen adgangskode skifter du under «Skift adgangskode».".into(),
        CsrfMismatch => "Formularen kunne ikke godkendes (sikkerhedsnøglen mangler eller er forkert). Gå tilbage, genindlæs siden og prøv igen.".into(),
        SsoRefused => "Log-ind via single sign-on blev afvist; prøv igen, eller kontakt jeres administrator.".into(),
        SsoNotConfigured => "Single sign-on er ikke sat op.".into(),
        SsoIssuerMismatch => "Udbyderens udstederadresse (issuer) passer ikke med Skjolds opsætning; kontakt jeres administrator.".into(),
        SsoUnreachable => "Udbyderen kan ikke nås lige nu; prøv igen senere, eller kontakt jeres administrator.".into(),
        SsoProviderUnusable => "Udbyderens opsætning (discovery) kan ikke bruges; kontakt jeres administrator.".into(),
        RoleNotAllowed(r) => format!(
            "Rollen {} har ikke adgang til denne funktion.",
            r.danish().to_lowercase()
        ),
        OtherController => "Det hører til en anden myndighed.".into(),
        MunicipalityByCli => "En ny kommune oprettes med `skjold init`.".into(),
        OrderNotFound => "Bestillingen findes ikke, eller du har ikke adgang til den.".into(),
        SubjectNotFound => "Borgeren findes ikke, eller du har ikke adgang til borgeren. Slå borgeren op med CPR-nummer.".into(),
        CitizenNotFound => "Der er ingen borger med dette CPR-nummer.".into(),
        CitizenErased => "Borgerens oplysninger er slettet og kan ikke længere læses.".into(),
        SubjectKeyMissing => "Borgerens oplysninger er slettet.".into(),
        AttachmentNotFound => "Vedhæftningen findes ikke, eller du har ikke adgang til den.".into(),
        ThreadNotFound => "Tråden findes ikke, eller du har ikke adgang til den.".into(),
        RequestNotFound => "Anmodningen findes ikke.".into(),
        StandInNotFound => "Stedfortræderadgangen findes ikke.".into(),
        UserNotFound(Some(name)) => format!("Brugeren «{name}» findes ikke."),
        UserNotFound(None) => "Brugeren findes ikke hos jeres myndighed.".into(),
        OrganisationNotFound => "Organisationen findes ikke.".into(),
        PurposeNotFound => "Formålet findes ikke.".into(),
        ServiceTypeNotFound => "Ydelsestypen findes ikke.".into(),
        BlockNotFound => "Spærringen findes ikke.".into(),
        SubjectExists => "Borgeren er allerede registreret.".into(),
        OrderClosed => "Bestillingen er afsluttet; der kan ikke videregives mere.".into(),
        OrderOpen => "Bestillingen er ikke afsluttet; sletning bekræftes, når kommunen har afsluttet den.".into(),
        OrderClosedForSupplier => "Bestillingen er afsluttet; leverandøren har ikke længere adgang til borgerens oplysninger.".into(),
        DeletionConfirmed => "Sletningen er allerede bekræftet.".into(),
        OwnUnitOrder => "Bestillingen hører til din egen enhed; du kan åbne den uden stedfortræderadgang.".into(),
        StandInFollowedUp => "Stedfortræderadgangen er allerede fulgt op.".into(),
        RequestDecided => "Anmodningen er allerede afgjort.".into(),
        BlockNotActive => "Spærringen er allerede ophørt eller ophævet.".into(),
        FieldAlreadyDisclosed(f) => format!("{} er allerede videregivet.", f.danish()),
        FieldNeverDisclosed(f) => format!("{} må aldrig videregives til denne ydelse.", f.danish()),
        NoSuchData(f) => format!(
            "Borgeren har ingen oplysning om {}.",
            f.danish().to_lowercase()
        ),
        PolicyContactAutomatic(f) => format!(
            "{} må aldrig videregives automatisk (adresse- og kontaktoplysninger).",
            f.danish()
        ),
        PolicySpecialWithoutArt9(f) => format!(
            "{} er en særlig kategori: formålet skal have et grundlag efter art. 9.",
            f.danish()
        ),
        PolicyCriminalWithoutLaw(f) => format!(
            "{} er oplysninger om strafbare forhold: formålet skal angive en national hjemmel.",
            f.danish()
        ),
        NoDpaInForce(Some(name)) => {
            format!("{name} har ingen databehandleraftale i kraft; der kan ikke bestilles eller videregives.")
        }
        NoDpaInForce(None) => "Leverandøren har ingen databehandleraftale i kraft.".into(),
        DpaNotInForce => "Der er ingen databehandleraftale i kraft for dette.".into(),
        ServiceNotCovered { supplier, service } => format!(
            "Databehandleraftalen med {supplier} dækker ikke ydelsen {service}. Vælg en leverandør, hvis aftale dækker ydelsen, eller bed administratoren om at udvide aftalens dækning."
        ),
        OrderPeriod => "Periodens slutdato ligger før startdatoen. Ret til-datoen, så den er samme dag som fra-datoen eller senere.".into(),
        IdempotencyKeyFormat => "Idempotensnøglen skal være 1-200 synlige ASCII-tegn.".into(),
        IdempotencyKeyReused => "Denne formular er allerede brugt til at sende en bestilling med et andet indhold; den bestilling står under borgerens bestillinger. Send formularen igen, hvis du vil sende endnu en bestilling med indholdet, som det står nu.".into(),
        NotASupplier => "Den valgte organisation er ikke en leverandør.".into(),
        DpaNotSupplier => "En databehandleraftale indgås med en leverandør.".into(),
        DpaDates => "Aftalens slutdato ligger før startdatoen.".into(),
        ParentNotMunicipality => "En enhed skal høre under en kommune.".into(),
        CvrRequired => "En leverandør skal have et CVR-nummer.".into(),
        RoleOrganisationMismatch { supplier_org: true } => {
            "Brugere hos en leverandør kan kun være leverandørbrugere.".into()
        }
        RoleOrganisationMismatch {
            supplier_org: false,
        } => "Leverandørbrugere skal høre til en leverandør.".into(),
        UsernameTaken(name) => format!("Brugernavnet «{name}» er allerede i brug."),
        ServiceCodeTaken(code) => format!("Ydelseskoden «{code}» er allerede i brug."),
        NothingChanged => {
            "Der er ingen ændringer at gemme. Ret mindst ét felt, eller gå tilbage til oversigten.".into()
        }
        LastAdministrator => "Ændringen ville efterlade myndigheden uden en aktiv administrator. \
            Giv først en anden bruger rollen administrator, og prøv så igen."
            .into(),
        AlreadyInitialised => "Databasen er allerede sat op.".into(),
        NoConsent(c) => format!(
            "Borgeren har ikke givet samtykke til påmindelser via {}.",
            channel(*c)
        ),
        NoConsentToWithdraw(c) => format!(
            "Borgeren har intet samtykke til {} at trække tilbage.",
            channel(*c)
        ),
        NoContact(c) => format!(
            "Borgeren har ingen {} registreret.",
            c.field().danish().to_lowercase()
        ),
        NoReminderProvider => "Der er ikke sat en udbyder af sms og e-mail op.".into(),
        BadRightKind => "Vælg hvilken rettighed anmodningen gælder.".into(),
        BadIntakeChannel => "Vælg hvordan anmodningen blev modtaget.".into(),
        BadAccessWish => "Vælg hvad borgeren ønsker indsigt i.".into(),
        BadScope => "Vælg hvilket område anmodningen gælder.".into(),
        BadOutcome => "Vælg afgørelsen: imødekommet, delvist imødekommet eller afslået.".into(),
        BadErasureGround => "Vælg grundlaget for sletning.".into(),
        BadRestrictionGround => "Vælg grundlaget for begrænsning.".into(),
        BadJudgement => "Vælg vurderingen af oplysningerne.".into(),
        PeriodBackwards => "Perioden slutter før den begynder.".into(),
        ReceivedInFuture => "Modtagelsesdatoen ligger i fremtiden.".into(),
        AlreadyExtended => "Fristen er allerede forlænget én gang.".into(),
        ExtensionTooLong { max } => format!("Fristen kan højst forlænges med {max} måneder."),
        ExtensionTooLate => "Fristen er overskredet; den kan kun forlænges, før den udløber, og borgeren skal have besked inden da.".into(),
        RightsCaseNotFound => "Sagen findes ikke.".into(),
        CitizenNotKnown => "Du er logget ind med MitID, men kommunen har ingen oplysninger om dig i Skjold. Kontakt kommunen, hvis du mener, at den har oplysninger om dig.".into(),
        StaffOnly => "Siden er for kommunens medarbejdere og leverandører. Dine egne oplysninger finder du under Mine oplysninger (/borger/).".into(),
        NoConsentText(c) => format!("Der er ingen samtykketekst for påmindelser via {}: samtykke kan ikke gives endnu.", channel(*c)),
        ConsentChecklistFails => "Samtykketeksten kan ikke bruges: tjeklisten viser, at samtykke ikke er det rette grundlag, at det er en betingelse for en ydelse, eller at en ubalance i magtforholdet ikke er opvejet.".into(),
        ConsentAlreadyGiven(c) => format!("Du har allerede givet samtykke til påmindelser via {}.", channel(*c)),
        RightsTaskNotFound => "Opgaven findes ikke.".into(),
        NoticeNotFound => "Underretningen findes ikke.".into(),
        CaseAnswered => "Sagen er besvaret og kan ikke ændres.".into(),
        CaseNotDecided => "Der er ikke truffet afgørelse i sagen endnu.".into(),
        AnswerNotReviewed => "Svaret skal gennemgås for andres oplysninger, før det sendes.".into(),
        CaseDecided => "Der er allerede truffet afgørelse i sagen.".into(),
        IdentityNotChecked => "Borgerens identitet skal kontrolleres, før der træffes afgørelse.".into(),
        ItemsRequired => "Vælg de oplysninger, anmodningen gælder.".into(),
        ItemNotOfCitizen => "Oplysningen hører ikke til sagens borger.".into(),
        DataRestricted(f) => format!(
            "Behandlingen af oplysningen «{}» er begrænset; den kan ikke videregives.",
            f.danish()
        ),
        NotPortable => "Retten til dataportabilitet gælder kun oplysninger, der behandles på grundlag af samtykke eller en kontrakt, og ingen af borgerens oplysninger gør det. Afslå anmodningen med den begrundelse, og tilbyd borgeren indsigt i stedet.".into(),
        Art22ExceptionRequired => "Alle tre spørgsmål er besvaret med ja, så artikel 22 gælder: en afgørelse, der står ved magt, skal bygge på en undtagelse i artikel 22, stk. 2. Vælg undtagelsen, og beskriv garantierne.".into(),
        DutyToKeepRecords => "Oplysningerne er omfattet af notat- og journaliseringspligten og kan ikke slettes; anmodningen må afslås eller behandles som berigtigelse.".into(),
        TaskContributed => "Bidraget er allerede afgivet.".into(),
        NoticeAcknowledged => "Underretningen er allerede kvitteret.".into(),
        SmtpUrl(url) => format!(
            "Ugyldig SMTP-adresse «{url}»: brug smtps://vært[:port], smtp+starttls://vært[:port] eller smtp://vært[:port]."
        ),
        SmtpFrom(from) => format!("Ugyldig afsenderadresse «{from}»."),
        SmtpTls(e) => format!("TLS til SMTP-serveren: {e}."),
        BackupExists(dir) => format!("Mappen {dir} indeholder allerede en sikkerhedskopi."),
        BackupNotFound(dir) => format!("Der er ingen brugbar sikkerhedskopi i {dir}."),
        BackupMismatch { backup, configured } => format!(
            "Sikkerhedskopien er af en {backup}-database, men installationen bruger {configured}."
        ),
        BackupTooNew { version, known } => format!(
            "Sikkerhedskopien har databaseversion {version}, men denne udgave af Skjold kender kun op til {known}."
        ),
        BreachNatureRequired => "Angiv, om bruddet angår fortrolighed, integritet eller tilgængelighed.".into(),
        BreachRiskContradiction => "Et brud kan ikke både have høj risiko og være uden risiko.".into(),
        BreachProcessorRequired => "Et brud, databehandleren har opdaget, skal angive databehandleren og hvornår den blev opmærksom på det.".into(),
        BreachInFuture => "Tidspunktet ligger i fremtiden.".into(),
        BreachNotFound => "Bruddet findes ikke.".into(),
        BreachClockNotRunning => "Den frist gælder ikke for dette brud.".into(),
        BreachClockMet => "Den pligt er allerede registreret som opfyldt.".into(),
        BadNature => "Ukendt art af brud.".into(),
        BadParty => "Vælg en bruger eller en organisation.".into(),
        BadClock => "Ukendt frist.".into(),
        BadRetentionTrigger => "Ukendt udløsende hændelse.".into(),
        BadRetentionAction => "Ukendt handling.".into(),
        BadRecordType => "Ukendt type af oplysninger.".into(),
        RetentionPeriod { min, max } => format!("Perioden skal være mellem {min} og {max} måneder."),
        RetentionRuleNotFound => "Opbevaringsreglen findes ikke.".into(),
        RetentionRuleExists => "Der er allerede en regel for den type, det formål og den hændelse.".into(),
        RecordsDraftNotFound => "Anmeldelsen findes ikke.".into(),
        RecordsDraftDecided => "Anmeldelsen er allerede behandlet.".into(),
        RecordsVersionNotFound => "Den version af fortegnelsen findes ikke.".into(),
        BreachNoticeHours => "Fristen for at underrette om brud skal være mellem 1 og 72 timer.".into(),
        ChangeNoticeTooShort { earliest } => format!("En ensidig ændring kan tidligst få virkning {} (30 dages varsel).", earliest.danish()),
        SubProcessorNoticeTooShort { earliest } => format!("En ændring af underdatabehandlere skal varsles mindst en måned før: tidligst {}.", earliest.danish()),
        InspectionNoticeTooShort { earliest } => format!("Et tilsyn skal varsles mindst 7 arbejdsdage før: tidligst {}.", earliest.danish()),
        ObjectionWindowClosed => "Fristen for indsigelse er udløbet.".into(),
        SubProcessorChangeNotFound => "Ændringen findes ikke.".into(),
        SubProcessorChangeSettled => "Ændringen er allerede gjort indsigelse mod eller trukket tilbage.".into(),
        TransferNotFound => "Overførslen findes ikke.".into(),
        TransferDecided => "Overførslen er allerede afgjort.".into(),
        BadTransferBasis => "Ukendt overførselsgrundlag.".into(),
        TransferInsideEea => "Landet er i EU/EØS: en overførsel dertil kræver intet grundlag.".into(),
        DpaNotFound => "Databehandleraftalen findes ikke.".into(),
        DpaVersionNotFound => "Den version af aftalen findes ikke.".into(),
        DpaVersionAcknowledged => "Den version er allerede kvitteret for.".into(),
        ProcessorNoticeNotFound => "Henvendelsen findes ikke.".into(),
        BadProcessorNotice => "Ukendt slags henvendelse.".into(),
        ProcessorNoticeHandled => "Henvendelsen er allerede behandlet.".into(),
        SecurityRulesNotFound => "Sikkerhedsreglerne findes ikke.".into(),
        SecurityRulesIncomplete(topics) => format!("Sikkerhedsreglerne skal også dække: {}.", topics.join(", ")),
        DpaNotEnded => "Aftalen er ikke ophørt, eller tilbagelevering eller sletning er allerede bekræftet.".into(),
        DpaNoEnd => "Aftalen har ingen slutdato: der er endnu intet at tilbagelevere.".into(),
        DataInUse => {
            "Datamappen er i brug. Stop serveren (og andre kommandoer) før gendannelsen.".into()
        }
        NotParticipating => "Organisationen deltager ikke i indkøbsdatasamarbejdet.".into(),
        NotTheContact => "Kun organisationens udpegede kontaktperson for samarbejdet kan få dens data tilbage.".into(),
        InvoiceUnreadable { file, reason } => format!("{file}: kan ikke læses som faktura eller kreditnota ({reason}). Intet er gemt."),
        InvoiceArchive(why) => format!("Zip-filen kan ikke bruges: {why}. Intet er gemt."),
        NoInvoices => "Vælg mindst én faktura (UBL-XML) eller en zip-fil med fakturaer.".into(),
        InvoiceNotFound => "Dokumentet findes ikke.".into(),
        InvoiceDecided => "Dokumentet er allerede gennemgået.".into(),
        BadRedaction { max, min_length } => format!("Skriv højst {max} tekststykker at skjule, ét pr. linje, hvert på mindst {min_length} tegn."),
    }
}

/// Danish names of the recorded kinds, for the report.
pub fn sign_in_event(kind: &str) -> &'static str {
    match kind {
        "signed_in" => "Logget ind",
        "failed" => "Afvist log-ind",
        "second_factor_failed" => "Afvist engangskode",
        "blocked" => "Forsøg under spærring",
        "unblocked" => "Spærring ophævet",
        "authorisation_refused" => "Adgang nægtet",
        "session_rejected" => "Ugyldig sessionscookie",
        "token_rejected" => "Ugyldig API-nøgle",
        "oidc_rejected" => "Afvist single sign-on",
        "setting_refused" => "Ugyldig indstilling afvist",
        "settings_changed" => "Indstillinger ændret",
        "second_factor_reset" => "Engangskode nulstillet",
        "password_changed" => "Adgangskode skiftet",
        "password_reset_required" => "Ny adgangskode krævet",
        _ => "Andet",
    }
}

/// The names of the rights-case vocabulary, for the pages.
pub mod rights {
    use skjold_core::rights::{
        AccessWish, CaseStatus, IntakeChannel, Outcome, Regime, RightKind, ScopeKind, Urgency,
    };

    pub fn kind(k: RightKind) -> &'static str {
        match k {
            RightKind::Access => "Indsigt",
            RightKind::Rectification => "Berigtigelse",
            RightKind::Erasure => "Sletning",
            RightKind::Restriction => "Begrænsning",
            RightKind::Portability => "Dataportabilitet",
            RightKind::Objection => "Indsigelse",
            RightKind::AutomatedDecision => "Automatiske afgørelser",
        }
    }

    pub fn status(s: CaseStatus) -> &'static str {
        match s {
            CaseStatus::Received => "Modtaget",
            CaseStatus::Gathering => "Indsamler bidrag",
            CaseStatus::Decided => "Afgjort, ikke sendt",
            CaseStatus::Answered => "Besvaret",
        }
    }

    pub fn outcome(o: Outcome) -> &'static str {
        match o {
            Outcome::Granted => "Imødekommet",
            Outcome::PartlyGranted => "Delvist imødekommet",
            Outcome::Refused => "Afslået",
        }
    }

    pub fn urgency(u: Urgency) -> &'static str {
        match u {
            Urgency::Overdue => "Fristen er overskredet",
            Urgency::DueSoon => "Frist inden for 7 dage",
            Urgency::OnTime => "I god tid",
            Urgency::Done => "Afsluttet",
        }
    }

    pub fn channel(c: IntakeChannel) -> &'static str {
        match c {
            IntakeChannel::Form => "Blanket",
            IntakeChannel::Letter => "Brev",
            IntakeChannel::Email => "E-mail",
            IntakeChannel::DigitalPost => "Digital Post",
            IntakeChannel::Phone => "Telefon",
            IntakeChannel::InPerson => "Personligt fremmøde",
            IntakeChannel::Online => "Borgerens egen visning (MitID)",
        }
    }

    pub fn wish(w: AccessWish) -> &'static str {
        match w {
            AccessWish::MyDataInACase => {
                "Mine registrerede oplysninger i en konkret sag (ikke sagens øvrige oplysninger)"
            }
            AccessWish::MyDataBroadly => {
                "Mine registrerede oplysninger i forvaltningen eller bredere"
            }
            AccessWish::WholeCase => "En hel sag, hvor jeg har oplysninger registreret",
            AccessWish::CaseDocuments => {
                "Oplysninger i en sag, som ikke nødvendigvis er registreret om mig (aktindsigt)"
            }
        }
    }

    pub fn regime(r: Regime) -> &'static str {
        match r {
            Regime::Gdpr => "Databeskyttelsesforordningen",
            Regime::GdprAndPublicRecords => "Databeskyttelsesforordningen og offentlighedsloven",
            Regime::GdprPublicAdministrationAndPublicRecords => {
                "Databeskyttelsesforordningen, forvaltningsloven og offentlighedsloven (hel sag)"
            }
            Regime::PublicAdministrationAndPublicRecords => {
                "Forvaltningsloven og offentlighedsloven: aktindsigt, ikke en indsigtsanmodning"
            }
        }
    }

    pub fn scope(s: ScopeKind) -> &'static str {
        match s {
            ScopeKind::Case => "En konkret sag",
            ScopeKind::Institution => "En konkret institution",
            ScopeKind::Area => "Et konkret område",
            ScopeKind::Administration => "En konkret forvaltning",
            ScopeKind::Other => "Andre sammenhænge",
        }
    }

    /// An erasure or restriction ground, or a rectification judgement, by its key.
    pub fn ground(key: &str) -> &'static str {
        match key {
            "no_longer_needed" => "Oplysningerne er ikke længere nødvendige",
            "consent_withdrawn" => "Samtykket er trukket tilbage",
            "objection" => "Indsigelse (behandlet som indsigelse)",
            "unlawful" => "Behandlet ulovligt: berigtiget og bevaret som bevis",
            "prohibited" => "Behandlet i strid med forbud i lov",
            "legal_obligation" => "Retlig forpligtelse til at slette",
            "accuracy_disputed" => "Rigtigheden bestrides",
            "unlawful_not_erased" => {
                "Ulovlig behandling, borgeren ønsker begrænsning frem for sletning"
            }
            "legal_claims" => "Nødvendige for et retskrav",
            "objection_pending" => "Indsigelse under behandling",
            "incorrect" => "Oplysningerne er ukorrekte: berigtiget",
            "correct" => "Oplysningerne er korrekte",
            "opinion" => "Udtryk for en vurdering: borgerens bemærkning er tilføjet",
            "misfiled" => "Fejljournaliseret: fjernet",
            _ => "",
        }
    }
}
