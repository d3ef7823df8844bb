//! Shared set-up for the scenarios: a demo on a throw-away database, on each backend;
//! callers over HTTP ([`actors`]); and [`assert_refused!`](crate::assert_refused).

#![allow(dead_code)]

pub mod actors;
pub mod files;
pub mod http;
pub mod smtp;
pub mod tls;

use std::sync::{Arc, Mutex};

use skjold_app::demo::{DemoCitizen, DemoSummary};
use skjold_app::rights::letters::{Letter, LetterProvider};
use skjold_app::sign_in::{Session, SignIn};
use skjold_app::{App, FixedClock};
use skjold_core::sign_in::Workstation;
use skjold_core::{Actor, Timestamp};
use skjold_store::Backend;
use skjold_store::testdb::TestDb;

/// 2026-11-23 12:00:00 UTC.
pub const NOW: Timestamp = Timestamp(1_795_435_200_000_000);

pub struct World {
    pub db: TestDb,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub demo: DemoSummary,
    /// The letters sent to citizens' digital mailboxes.
    pub letters: Arc<Letters>,
}

/// A digital mailbox that keeps what it is given.
#[derive(Default)]
pub struct Letters(Mutex<Vec<Letter>>);

impl Letters {
    pub fn sent(&self) -> Vec<Letter> {
        self.0.lock().expect("letters").clone()
    }
}

impl LetterProvider for Letters {
    fn deliver(&self, letter: &Letter) -> Result<(), String> {
        self.0.lock().expect("letters").push(letter.clone());
        Ok(())
    }
}

/// Where the citizens' identity provider sends the browser back to in tests.
pub const CITIZEN_REDIRECT: &str = "https://skjold.example/borger/login/callback";

impl World {
    /// Starts an identity provider for citizens (the demo's MitID stand-in, over real HTTP
    /// on a port of its own) where the world's demo citizens can sign in, and signs
    /// citizens in through it from now on. Returns it, for the browser's side of the flow.
    pub async fn citizen_provider(&mut self) -> std::sync::Arc<skjold_web::demo_mitid::DemoMitid> {
        use skjold_web::demo_mitid::{self, DemoMitid};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}/demo-mitid", listener.local_addr().expect("addr"));
        let people = self
            .demo
            .citizens
            .iter()
            .map(|c| (c.name.clone(), c.cpr.formatted()))
            .chain(std::iter::once((
                "Ukendt Borger".to_owned(),
                "010190-1239".to_owned(),
            )))
            .collect();
        let secret = "test-klienthemmelighed".to_owned();
        let provider = std::sync::Arc::new(
            DemoMitid::new(
                issuer.clone(),
                secret.clone(),
                CITIZEN_REDIRECT.into(),
                people,
            )
            .expect("provider"),
        );
        let routes = provider.clone().routes();
        tokio::spawn(async move { axum::serve(listener, routes).await });
        self.app = self.app.clone().with_citizen_oidc(
            skjold_app::sign_in::oidc::Oidc::new(skjold_app::sign_in::oidc::OidcConfig {
                issuer,
                client_id: demo_mitid::CLIENT_ID.into(),
                client_secret: Some(secret),
                redirect_url: CITIZEN_REDIRECT.into(),
                username_claim: demo_mitid::CPR_CLAIM.into(),
                role_claim: String::new(),
                role_map: Vec::new(),
                display_name: "MitID (test)".into(),
                scopes: Vec::new(),
                client_auth: None,
            })
            .expect("oidc"),
        );
        provider
    }

    pub async fn new(backend: Backend, citizens: usize) -> World {
        World::new_at(backend, citizens, NOW).await
    }

    /// A world whose demo was built at `at` (the clock stays there until set).
    pub async fn new_at(backend: Backend, citizens: usize, at: Timestamp) -> World {
        let db = TestDb::new(backend).await;
        let clock = Arc::new(FixedClock::new(at));
        let letters = Arc::new(Letters::default());
        let app = App::new(db.store.clone(), clock.clone()).with_letter_provider(letters.clone());
        let demo = app.build_demo_base(citizens).await.expect("demo builds");
        World {
            db,
            app,
            clock,
            demo,
            letters,
        }
    }

    pub async fn actor(&self, username: &str) -> Actor {
        self.app
            .named_user(username)
            .await
            .unwrap_or_else(|e| panic!("no demo user {username}: {e}"))
    }

    /// `actor` finds the citizen by CPR number, as at the desk: the citizen's record opens
    /// to them for the working day.
    pub async fn search(&self, actor: &Actor, citizen: &DemoCitizen) {
        let found = self
            .app
            .find_citizen(actor, &citizen.cpr.formatted())
            .await
            .expect("search");
        assert_eq!(found, citizen.id);
    }

    /// `actor` orders the service with code `service` for the citizen from the supplier
    /// named `supplier`.
    pub async fn order(
        &self,
        actor: &Actor,
        citizen: uuid::Uuid,
        service: &str,
        supplier: &str,
    ) -> uuid::Uuid {
        self.app
            .place_order(
                actor,
                skjold_core::orders::NewOrder {
                    subject_id: citizen,
                    service_type_id: self.service(service),
                    supplier_id: self.org(supplier),
                },
                &self.content(service),
                None,
            )
            .await
            .unwrap_or_else(|e| {
                panic!("{} orders {service} from {supplier}: {e:?}", actor.username)
            })
    }

    /// The demo's content of an order of the service with code `service`, from today.
    pub fn content(&self, service: &str) -> skjold_app::orders::OrderContentInput {
        skjold_app::demo::demo_order_content(service, self.app.now().local_date())
    }

    pub fn org(&self, name: &str) -> uuid::Uuid {
        self.demo.organisations[name]
    }

    pub fn service(&self, code: &str) -> uuid::Uuid {
        self.demo.service_types[code]
    }

    /// Signs in through the password and, when the role needs it, the second factor: a
    /// demo user enters the code of the authenticator the demo set up, any other user sets
    /// one up on the spot.
    pub async fn sign_in(&self, username: &str, password: &str) -> Session {
        self.sign_in_from(username, password, &workstation("127.0.0.1", ""))
            .await
    }

    /// [`World::sign_in`] from a given workstation.
    pub async fn sign_in_from(&self, username: &str, password: &str, ws: &Workstation) -> Session {
        let answer = match self
            .app
            .sign_in(username, password, ws)
            .await
            .unwrap_or_else(|e| panic!("{username} signs in: {e}"))
        {
            SignIn::Done(session) => return session,
            SignIn::SecondFactor {
                token, enrol: true, ..
            } => {
                let secret = self.app.enrolment(&token).await.expect("enrolment").secret;
                let code = totp_code(&secret, self.app.now());
                self.app.second_factor(&token, &code, ws).await
            }
            SignIn::SecondFactor { token, .. } => {
                let code = self.current_code(username).await;
                self.app.second_factor(&token, &code, ws).await
            }
            SignIn::NewPassword { .. } => panic!("{username} must choose a new password"),
        };
        match answer.unwrap_or_else(|e| panic!("{username}'s second factor: {e}")) {
            SignIn::Done(session) => session,
            _ => panic!("{username} is not signed in after the second factor"),
        }
    }

    /// The code a demo user's authenticator shows that signs in now: this 30-second step's,
    /// or the next one's (within the one step of skew) when this one has been used. When
    /// both have been used, the clock moves on to the next step, as a person would wait.
    pub async fn current_code(&self, username: &str) -> String {
        let secret = self
            .demo
            .secrets
            .get(username)
            .unwrap_or_else(|| panic!("{username} is no demo user"));
        let user = self.actor(username).await;
        let last = self
            .db
            .store
            .sign_in()
            .second_factor(user.user_id)
            .await
            .expect("second factor")
            .last_step;
        let now = self.app.now().micros() / Timestamp::MICROS_PER_SECOND / 30;
        let step = now.max(last.map_or(0, |s| s + 1));
        if step > now + 1 {
            self.clock.advance_seconds(30 * (step - now - 1));
        }
        totp_code(secret, Timestamp(step * 30 * Timestamp::MICROS_PER_SECOND))
    }

    pub async fn log_count(&self) -> usize {
        let dpo = self.actor("revisor").await;
        let q = skjold_app::oversight::OversightQuery::default();
        // Reading the log adds one entry itself; count what was there before.
        let total = self.app.access_log(&dpo, &q).await.expect("log").total;
        usize::try_from(total).expect("count")
    }

    pub async fn done(self) {
        self.db.cleanup().await;
    }
}

/// A workstation that has not signed in before: counted by its address.
pub fn workstation(address: &str, device: &str) -> Workstation {
    Workstation::new(address, device, false)
}

/// The code an authenticator app shows at `at` for a base32 secret (RFC 6238 defaults).
pub fn totp_code(secret_base32: &str, at: Timestamp) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_ref().to_vec())
        .build()
        .expect("totp");
    let seconds = u64::try_from(at.micros() / Timestamp::MICROS_PER_SECOND).expect("after 1970");
    totp.generate(seconds).to_string()
}

/// Asserts that a use case refused with a problem matching the pattern, e.g.
/// `assert_refused!(app.close_order(&a, id).await, Problem::OrderClosed)`.
#[macro_export]
macro_rules! assert_refused {
    ($result:expr, $pattern:pat $(if $guard:expr)? $(,)?) => {
        match $result {
            Err(skjold_app::AppError::Refused(p)) => assert!(
                matches!(p, $pattern $(if $guard)?),
                "refused with {p:?}, expected {}",
                stringify!($pattern)
            ),
            Err(e) => panic!("failed with {e:?}, expected the refusal {}", stringify!($pattern)),
            Ok(_) => panic!("went through, expected the refusal {}", stringify!($pattern)),
        }
    };
}

/// Runs a scenario on SQLite, and on PostgreSQL when `SKJOLD_TEST_POSTGRES_URL` is set. In
/// CI (`CI=true`) a missing PostgreSQL URL is a failure.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(skjold_store::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if skjold_store::testdb::postgres_url().is_none() {
                    assert!(
                        std::env::var("CI").is_err(),
                        "CI must run the PostgreSQL suite: set SKJOLD_TEST_POSTGRES_URL"
                    );
                    eprintln!("PostgreSQL not configured (SKJOLD_TEST_POSTGRES_URL); SQLite only");
                    return;
                }
                super::$name(skjold_store::Backend::Postgres).await;
            }
        })*
    };
}
