//! The PACT host of a demo node, driven over HTTPS by a real client the way
//! PACT partners' tools and the conformance suite drive it: the demo's
//! `pact.json`, plain HTTP refused, OpenID discovery, tokens (and wrong
//! credentials), ListFootprints paginated to the end with every v3 filter
//! and the v2 `$filter` subset, GetFootprint (and an unknown id), invalid
//! tokens, a revoked credential, and a served document verifying offline;
//! then events: Published (received, and sent to a subscribed host when a
//! footprint is attested), RequestCreated answered with RequestFulfilled or
//! RequestRejected at a test receiver playing the partner's host, and an
//! answer still delivered after the node was killed with it pending.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use reqwest::StatusCode;
use serde_json::Value;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_tests::{arg, block_on, cli_json, DevNode};

struct Host {
    base: String,
    http: reqwest::Client,
}

impl Host {
    async fn token(&self, id: &str, secret: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/auth/token", self.base))
            .basic_auth(id, Some(secret))
            .header("accept", "application/json")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request")
    }

    /// A token for good credentials (200, `Bearer`), or a panic.
    async fn access_token(&self, id: &str, secret: &str) -> String {
        let resp = self.token(id, secret).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.expect("token json");
        assert_eq!(body["token_type"], "Bearer");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    async fn get(&self, url: &str, token: &str) -> (StatusCode, Option<String>, Value) {
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = resp.status();
        let link = resp
            .headers()
            .get("link")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        (status, link, resp.json().await.unwrap_or(Value::Null))
    }

    /// Every page of a list, following `Link: <…>; rel="next"` to the end.
    async fn list_all(&self, first: &str, token: &str) -> Vec<Value> {
        let mut url = first.to_string();
        let mut all = Vec::new();
        for _ in 0..100 {
            let (status, link, body) = self.get(&url, token).await;
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            all.extend(
                body["data"]
                    .as_array()
                    .expect("data is a list")
                    .iter()
                    .cloned(),
            );
            let Some(link) = link else {
                return all;
            };
            let next = link
                .strip_prefix('<')
                .and_then(|l| l.split_once(">; rel=\"next\""))
                .map(|(u, _)| u.to_string())
                .unwrap_or_else(|| panic!("malformed Link {link}"));
            assert!(
                next.starts_with(&self.base),
                "{next} is not under {}",
                self.base
            );
            url = next;
        }
        panic!("more than 100 pages");
    }
}

fn ids(docs: &[Value]) -> Vec<String> {
    docs.iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect()
}

/// The demo partner at `node`'s PACT host: an HTTPS client trusting the
/// node's development authority, the credentials from `pact.json`, its key,
/// and the certified laptop it reads.
struct Partner {
    host: Host,
    client_id: String,
    secret: String,
    key: OrgKeyFile,
    /// The laptop's attestation id and PACT id.
    laptop: (String, String),
}

fn connect(node: &DevNode) -> Partner {
    let read = |file: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(node.dir.join(file))
                .unwrap_or_else(|e| panic!("the demo writes {file}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let pact = read("pact.json");
    let text = |v: &Value| v.as_str().expect("a string").to_string();
    let base = text(&pact["base_url"]);
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let ca = std::fs::read(text(&pact["ca_cert"])).expect("the CA is written");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("PEM"))
        .build()
        .expect("client");
    let laptop = text(&read("demo.json")["laptop"]["footprint"]);
    let laptop_pf = tanji_pact::pf_id(&laptop.parse().expect("laptop id")).to_string();
    Partner {
        host: Host { base, http },
        client_id: text(&pact["client_id"]),
        secret: text(&pact["client_secret"]),
        key: OrgKeyFile::load(&node.keys().join("partner.json")).expect("partner key"),
        laptop: (laptop, laptop_pf),
    }
}

#[test]
fn pact_host_serves_partners_over_https() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("dev node");
    let Partner {
        host,
        client_id,
        secret,
        key: partner,
        laptop: (laptop, laptop_pf),
    } = connect(&node);
    let base = host.base.clone();

    block_on(async {
        // Plain HTTP to the PACT port gets no HTTP answer at all.
        let plain = base.replacen("https://", "http://", 1);
        let answer = reqwest::Client::new()
            .get(format!("{plain}/3/footprints"))
            .timeout(std::time::Duration::from_secs(15))
            .send()
            .await;
        assert!(answer.is_err(), "plain HTTP answered: {answer:?}");

        // Discovery names the token endpoint.
        let oidc: Value = host
            .http
            .get(format!("{base}/.well-known/openid-configuration"))
            .send()
            .await
            .expect("oidc")
            .json()
            .await
            .expect("oidc json");
        assert_eq!(oidc["token_endpoint"], format!("{base}/auth/token"));

        // Tokens: the right secret, then wrong and unknown credentials.
        let token = host.access_token(&client_id, &secret).await;
        for (id, s) in [
            (client_id.as_str(), "wrong"),
            ("0123456789abcdef0123456789abcdef", secret.as_str()),
        ] {
            let resp = host.token(id, s).await;
            assert!(
                matches!(resp.status().as_u16(), 400 | 401),
                "{}",
                resp.status()
            );
            let body: Value = resp.json().await.expect("json");
            assert_eq!(body["error"], "invalid_client");
        }
        let resp = host
            .http
            .post(format!("{base}/auth/token"))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("grant_type", "password")])
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

        // ListFootprints v3, one per page, to the end: every document once,
        // each with its proof, the certified laptop among them.
        let all = host
            .list_all(&format!("{base}/3/footprints?limit=1"), &token)
            .await;
        let all_ids = ids(&all);
        assert!(all.len() >= 2, "{all_ids:?}");
        assert_eq!(
            all_ids.iter().collect::<BTreeSet<_>>().len(),
            all.len(),
            "{all_ids:?}"
        );
        assert!(all_ids.contains(&laptop_pf), "{all_ids:?}");
        for d in &all {
            assert!(
                d["specVersion"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("3.")),
                "{d}"
            );
            let ext = &d["extensions"][0];
            assert!(
                ext["dataSchema"]
                    .as_str()
                    .is_some_and(|s| s.starts_with(&base)),
                "{ext}"
            );
        }
        // The same set in one page.
        let (status, link, one) = host
            .get(&format!("{base}/3/footprints?limit=100"), &token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(link.is_none());
        assert_eq!(ids(one["data"].as_array().expect("data")), all_ids);

        // Every v3 filter, against the laptop's own fields.
        let lap = all
            .iter()
            .find(|d| d["id"] == laptop_pf.as_str())
            .expect("laptop doc");
        let q = |v: &str| -> String { form_encode(v) };
        let product = lap["productIds"][0].as_str().expect("productId");
        let company = lap["companyIds"][0].as_str().expect("companyId");
        // One of region, country or subdivision is given.
        let country = [
            "geographyCountry",
            "geographyCountrySubdivision",
            "geographyRegionOrSubregion",
        ]
        .iter()
        .find_map(|g| lap["pcf"][g].as_str())
        .expect("a geography");
        let end = lap["pcf"]["referencePeriodEnd"].as_str().expect("end");
        let mut filters = vec![
            format!("productId={}", q(product)),
            format!("companyId={}", q(company)),
            format!("geography={country}"),
            format!("validOn={}", q(end)),
            format!("validAfter={}", q("2000-01-01T00:00:00Z")),
            format!("validBefore={}", q("2100-01-01T00:00:00Z")),
            "status=Active".to_string(),
            format!("productId={}&status=Active&geography={country}", q(product)),
        ];
        if let Some(class) = lap["productClassifications"][0].as_str() {
            filters.push(format!("classification={}", q(class)));
        }
        for f in &filters {
            let got = host
                .list_all(&format!("{base}/3/footprints?limit=2&{f}"), &token)
                .await;
            assert!(ids(&got).contains(&laptop_pf), "{f}: {:?}", ids(&got));
            assert!(got.len() <= all.len());
        }
        let by_product = host
            .list_all(
                &format!("{base}/3/footprints?productId={}", q(product)),
                &token,
            )
            .await;
        for d in &by_product {
            assert!(
                d["productIds"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .any(|p| p == product),
                "{d}"
            );
        }
        // Filters that exclude it, and values that match nothing: an empty list, not an error.
        for f in [
            format!("validBefore={}", q("2000-01-01T00:00:00Z")),
            "status=Deprecated&productId=urn:pact:nothing".to_string(),
            "status=BogusStatusXYZ".to_string(),
            "geography=XX".to_string(),
            "productId=urn:pact:null".to_string(),
            "validOn=not-a-date".to_string(),
        ] {
            let (status, _, body) = host.get(&format!("{base}/3/footprints?{f}"), &token).await;
            assert_eq!(status, StatusCode::OK, "{f}: {body}");
            assert_eq!(body, serde_json::json!({"data": []}), "{f}");
        }

        // v2: the same footprints, and the $filter subset.
        let v2 = host
            .list_all(&format!("{base}/2/footprints?limit=3"), &token)
            .await;
        assert!(ids(&v2).contains(&laptop_pf));
        assert!(v2.iter().all(|d| d["specVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("2."))));
        let f = q(&format!("productIds/any(p:(p eq '{product}'))"));
        let got = host
            .list_all(&format!("{base}/2/footprints?$filter={f}"), &token)
            .await;
        assert!(ids(&got).contains(&laptop_pf), "{:?}", ids(&got));
        let f = q(&format!(
            "productCategoryCpc eq '{}' and (created le '2100-01-01T00:00:00Z')",
            v2.iter()
                .find(|d| d["id"] == laptop_pf.as_str())
                .and_then(|d| d["productCategoryCpc"].as_str())
                .expect("the laptop's CPC")
        ));
        let got = host
            .list_all(&format!("{base}/2/footprints?$filter={f}"), &token)
            .await;
        assert!(ids(&got).contains(&laptop_pf));
        let f = q("productCategoryCpc eq '1' or productCategoryCpc eq '2'");
        let (status, _, body) = host
            .get(&format!("{base}/2/footprints?$filter={f}"), &token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "NotImplemented");

        // GetFootprint, both versions; an unknown id is 404 with the spec's code.
        for (v, code) in [("3", "NotFound"), ("2", "NoSuchFootprint")] {
            let (status, _, body) = host
                .get(&format!("{base}/{v}/footprints/{laptop_pf}"), &token)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["id"], laptop_pf.as_str());
            let (status, _, body) = host
                .get(
                    &format!("{base}/{v}/footprints/00000000-0000-0000-0000-000000000000"),
                    &token,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert_eq!(body["code"], code);
            assert!(body["message"].is_string());
        }

        // A served document verifies offline, exactly as exported.
        let (_, _, got) = host
            .get(&format!("{base}/3/footprints/{laptop_pf}"), &token)
            .await;
        let file = dir.path().join("served.pact.json");
        std::fs::write(&file, got["data"].to_string()).expect("write");
        let v = cli_json(&["verify", "pact", arg(&file)]);
        assert_eq!(v["verified"], true, "{v}");
        assert_eq!(v["report"]["footprint"], laptop.as_str());

        // Invalid tokens: 401 with code BadRequest on every action.
        for url in [
            format!("{base}/3/footprints"),
            format!("{base}/2/footprints"),
            format!("{base}/3/footprints/{laptop_pf}"),
        ] {
            for bad in ["invalid-token", &format!("{token}x")] {
                let (status, _, body) = host.get(&url, bad).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{url}: {body}");
                assert_eq!(body["code"], "BadRequest");
            }
            let resp = host.http.get(&url).send().await.expect("send");
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        }

        // The partner manages its credentials with signed requests; a
        // revoked credential's token stops working at once.
        let client = node.client();
        let key = partner.signing_key().expect("key");
        let listed = client
            .pact_clients(partner.org_id, &key)
            .await
            .expect("list");
        assert!(listed.clients.iter().any(|c| c.client_id == client_id));
        let by_cli = cli_json(&[
            "pact",
            "client",
            "list",
            "--key",
            arg(&node.keys().join("partner.json")),
            "--node",
            &node.url,
        ]);
        assert_eq!(by_cli, serde_json::to_value(&listed).expect("json"));
        let extra = client
            .create_pact_client("second tool", partner.org_id, &key)
            .await
            .expect("create");
        let extra_token = host
            .access_token(&extra.client.client_id, &extra.client_secret)
            .await;
        client
            .revoke_pact_client(&extra.client.client_id, partner.org_id, &key)
            .await
            .expect("revoke");
        let (status, _, body) = host
            .get(&format!("{base}/3/footprints"), &extra_token)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let resp = host
            .token(&extra.client.client_id, &extra.client_secret)
            .await;
        assert!(matches!(resp.status().as_u16(), 400 | 401));
        // The first credential is untouched.
        let (status, _, _) = host.get(&format!("{base}/3/footprints"), &token).await;
        assert_eq!(status, StatusCode::OK);
        // Nobody else can revoke the partner's credential.
        let other = OrgKeyFile::load(&node.keys().join("assembler.json")).expect("assembler");
        let refused = client
            .revoke_pact_client(&client_id, other.org_id, &other.signing_key().expect("key"))
            .await;
        assert!(refused.is_err());
    });
}

/// `application/x-www-form-urlencoded` encoding of a query value.
fn form_encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A partner's PACT host as the conformance suite plays it: `/auth/token`
/// with fixed credentials, `/2/events` and `/3/events` that keep what they
/// receive, and a switch that makes it answer 503 (down).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(String, Value)>>>,
    down: Arc<AtomicBool>,
}

const DEV_ID: &str = "test_client_id";
const DEV_SECRET: &str = "test_client_secret";
const RECEIVER_ID: &str = "partner-at-receiver";
const RECEIVER_SECRET: &str = "receiver-secret-4711";

impl Receiver {
    /// Serves on 127.0.0.1 (a free port) on `rt`; returns its base URL.
    fn start(&self, rt: &tokio::runtime::Runtime) -> String {
        use axum::routing::post;
        let me = self.clone();
        // Two clients: the conformance suite's default one and the one the
        // partner registers; each gets a token naming it.
        let token = |headers: axum::http::HeaderMap| async move {
            let given = headers.get("authorization").and_then(|h| h.to_str().ok());
            for (id, secret) in [(DEV_ID, DEV_SECRET), (RECEIVER_ID, RECEIVER_SECRET)] {
                if given == Some(format!("Basic {}", B64.encode(format!("{id}:{secret}"))).as_str())
                {
                    return (
                        StatusCode::OK,
                        axum::Json(
                            serde_json::json!({"access_token": format!("token-of-{id}"), "token_type": "Bearer"}),
                        ),
                    );
                }
            }
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": "invalid_client"})),
            )
        };
        let events = |path: &'static str, me: Receiver| {
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| async move {
                if me.down.load(Ordering::SeqCst) {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let Some(client) = headers
                    .get("authorization")
                    .and_then(|h| h.to_str().ok())
                    .and_then(|h| h.strip_prefix("Bearer token-of-"))
                else {
                    return StatusCode::UNAUTHORIZED;
                };
                let Ok(mut v) = serde_json::from_slice::<Value>(&body) else {
                    return StatusCode::BAD_REQUEST;
                };
                v["x-authenticated-as"] = client.into();
                me.received
                    .lock()
                    .expect("lock")
                    .push((path.to_string(), v));
                StatusCode::OK
            }
        };
        let app = axum::Router::new()
            .route("/auth/token", post(token))
            .route("/3/events", post(events("/3/events", me.clone())))
            .route("/2/events", post(events("/2/events", me)));
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    /// Waits (bounded) for an event answering `request_id`.
    fn answer_to(&self, request_id: &str) -> (String, Value) {
        self.wait_for(&format!("an answer to {request_id}"), |e| {
            e["data"]["requestEventId"] == request_id
        })
    }

    /// Waits (bounded) for a received event `wanted` picks.
    fn wait_for(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> (String, Value) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(found) = self
                .received
                .lock()
                .expect("lock")
                .iter()
                .find(|(_, e)| wanted(e))
                .cloned()
            {
                return found;
            }
            assert!(Instant::now() < deadline, "no {what} within 90 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A public footprint on the demo's factors, attested during the test.
const WIDGET_MODEL: &str = r#"
[product]
ids = ["urn:gtin:06900000000024"]
name = "Subscribed widget"
category = "urn:cpc:42999"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "0.5"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"

[[input]]
factor = "cn_elec_cfp_2023@1"
amount = "35.2"
stage = "production"
"#;

fn request_created(version: u8, id: &str, source: &str, data: Value) -> Value {
    let kind = if version == 2 {
        "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"
    } else {
        "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
    };
    serde_json::json!({
        "specversion": "1.0", "id": id, "source": source,
        "time": "2026-12-06T00:00:00Z", "type": kind, "data": data,
    })
}

#[test]
fn pact_events_answered_through_a_persisted_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut node = DevNode::start(dir.path(), &["--demo"]).expect("dev node");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let receiver = Receiver::default();
    let source = receiver.start(&rt);
    let Partner {
        host,
        client_id,
        secret,
        key: _,
        laptop: (_, laptop_pf),
    } = connect(&node);

    let post = |host: &Host, version: u8, token: &str, event: &Value| {
        block_on(async {
            let resp = host
                .http
                .post(format!("{}/{version}/events", host.base))
                .bearer_auth(token)
                .header(
                    "content-type",
                    "application/cloudevents+json; charset=UTF-8",
                )
                .body(event.to_string())
                .send()
                .await
                .expect("post event");
            let status = resp.status();
            (status, resp.text().await.unwrap_or_default())
        })
    };
    let token = block_on(host.access_token(&client_id, &secret));

    // Published: UUID ids are accepted (even unknown ones), a non-UUID is 400.
    let published = serde_json::json!({
        "specversion": "1.0", "id": "pub-1", "source": source, "time": "2026-12-06T00:00:00Z",
        "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
        "data": {"pfIds": ["00000000-0000-0000-0000-000000000001"]},
    });
    let (status, body) = post(&host, 3, &token, &published);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.is_empty());
    let mut bad = published.clone();
    bad["data"]["pfIds"] = serde_json::json!(["urn:gtin:4712345060507"]);
    let (status, body) = post(&host, 3, &token, &bad);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("data.pfIds[0]"), "{body}");
    // An invalid token is refused like on every action.
    let (status, _) = post(&host, 3, "invalid-token", &published);
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Before the partner registers its host: a development host on this
    // machine is answered with the conformance suite's client; any other
    // host is refused at once.
    let laptop_doc = block_on(async {
        host.get(&format!("{}/3/footprints/{laptop_pf}", host.base), &token)
            .await
            .2
    });
    // The laptop states its carbon content; PACT carries it.
    assert_eq!(laptop_doc["data"]["pcf"]["fossilCarbonContent"], "0.23");
    assert_eq!(laptop_doc["data"]["pcf"]["biogenicCarbonContent"], "0");
    let product = laptop_doc["data"]["productIds"][0]
        .as_str()
        .expect("the laptop's product id")
        .to_string();
    let req = request_created(
        3,
        "req-0",
        &source,
        serde_json::json!({"productId": [product]}),
    );
    let (status, body) = post(&host, 3, &token, &req);
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, answer) = receiver.answer_to("req-0");
    assert_eq!(answer["x-authenticated-as"], DEV_ID);
    let req = request_created(3, "req-x", "https://partner.example", serde_json::json!({}));
    let (status, body) = post(&host, 3, &token, &req);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("tanji pact callback set"), "{body}");

    // The partner registers its host (signed with its key); answers then
    // authenticate with the registered client.
    let key_file = node.keys().join("partner.json");
    let registered = cli_json(&[
        "pact",
        "callback",
        "set",
        &source,
        "--client-id",
        RECEIVER_ID,
        "--client-secret",
        RECEIVER_SECRET,
        "--published-version",
        "2",
        "--key",
        arg(&key_file),
        "--node",
        &node.url,
    ]);
    let listed = cli_json(&[
        "pact",
        "callback",
        "list",
        "--key",
        arg(&key_file),
        "--node",
        &node.url,
    ]);
    assert_eq!(listed["callbacks"][0]["id"], registered["id"]);
    assert!(!listed.to_string().contains(RECEIVER_SECRET), "{listed}");
    assert_eq!(registered["base_url"], source.as_str());
    assert_eq!(registered["published_version"], 2);

    // Subscribed: a footprint attested now is announced to the registered
    // host with a Published event in the version it registered (v2 here),
    // and its id fetches the document.
    let model = dir.path().join("widget.toml");
    std::fs::write(&model, WIDGET_MODEL).expect("write");
    let attested = cli_json(&[
        "footprint",
        "attest",
        arg(&model),
        "--key",
        arg(&node.keys().join("assembler.json")),
        "--node",
        &node.url,
    ]);
    let widget_pf =
        tanji_pact::pf_id(&attested["id"].as_str().expect("id").parse().expect("an id"))
            .to_string();
    let (path, announced) = receiver.wait_for("a Published event naming the widget", |e| {
        e["type"] == "org.wbcsd.pathfinder.ProductFootprint.Published.v1"
            && e["data"]["pfIds"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|i| i == widget_pf.as_str()))
    });
    assert_eq!(path, "/2/events");
    assert_eq!(announced["source"], host.base.as_str());
    assert_eq!(announced["x-authenticated-as"], RECEIVER_ID);
    let (status, _, doc) = block_on(async {
        host.get(&format!("{}/3/footprints/{widget_pf}", host.base), &token)
            .await
    });
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["data"]["id"], widget_pf.as_str());

    // Fulfilled, v3 and v2, with the requested product and a proof each.
    for (version, id, data) in [
        (3, "req-1", serde_json::json!({"productId": [product]})),
        (
            2,
            "req-2",
            serde_json::json!({"pf": {"productIds": [product]}}),
        ),
    ] {
        let (status, body) = post(
            &host,
            version,
            &token,
            &request_created(version, id, &source, data),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        let (path, answer) = receiver.answer_to(id);
        assert_eq!(path, format!("/{version}/events"));
        assert!(
            answer["type"].as_str().expect("type").contains("Fulfilled"),
            "{answer}"
        );
        let pfs = answer["data"]["pfs"].as_array().expect("pfs");
        assert!(!pfs.is_empty());
        for pf in pfs {
            assert!(
                pf["productIds"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .any(|p| p == product.as_str()),
                "{pf}"
            );
            assert!(pf["extensions"][0]["data"].is_object());
        }
        assert_eq!(answer["source"], host.base.as_str());
        assert_eq!(answer["x-authenticated-as"], RECEIVER_ID);
    }

    // An unknown product: Rejected, with a code and a message.
    let req = request_created(
        3,
        "req-3",
        &source,
        serde_json::json!({"productId": ["urn:pact:null"]}),
    );
    let (status, _) = post(&host, 3, &token, &req);
    assert_eq!(status, StatusCode::OK);
    let (_, answer) = receiver.answer_to("req-3");
    assert!(
        answer["type"].as_str().expect("type").contains("Rejected"),
        "{answer}"
    );
    assert!(answer["data"]["error"]["code"].is_string());
    assert!(answer["data"]["error"]["message"].is_string());

    // `tanji pact request`: the partner asks a PACT host (here this node's
    // own, over HTTPS) for the laptop; the answer is sent to the partner's
    // registered host (the same node, authenticating with the partner's
    // credential there), kept in its inbox, and the CLI reports it with its
    // Tanji proof checked.
    let ca = node.dir.join("pact-tls").join("ca.pem");
    cli_json(&[
        "pact",
        "callback",
        "set",
        &host.base,
        "--client-id",
        &client_id,
        "--client-secret",
        &secret,
        "--key",
        arg(&key_file),
        "--node",
        &node.url,
    ]);
    let answered = dir.path().join("answered.json");
    let request = |product: &str, version: &str| {
        tanji_tests::cli_json_any(&[
            "pact",
            "request",
            "--to",
            &host.base,
            "--product",
            product,
            "--version",
            version,
            "--client-id",
            &client_id,
            "--client-secret",
            &secret,
            "--ca-cert",
            arg(&ca),
            "--wait",
            "90",
            "--out",
            arg(&answered),
            "--key",
            arg(&key_file),
            "--node",
            &node.url,
        ])
    };
    for version in ["3", "2"] {
        let run = request(&product, version);
        assert_eq!(run.code, 0, "{run}");
        let v = run.json();
        assert_eq!(v["answer"], "fulfilled", "{v}");
        assert_eq!(v["from"], host.base.as_str());
        let first = &v["footprints"][0];
        assert!(first["productIds"].to_string().contains(&product), "{v}");
        assert_eq!(first["tanji_proof"]["verified"], true, "{v}");
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&answered).expect("--out written"))
                .expect("JSON");
        assert_eq!(
            written.as_array().map(Vec::len),
            v["footprints"].as_array().map(Vec::len)
        );
    }
    let run = request("urn:pact:null", "3");
    assert_eq!(run.code, 3, "a rejected request fails: {run}");
    let v = run.json();
    assert_eq!(v["answer"], "rejected");
    assert!(v["error"]["code"].is_string(), "{v}");
    let inbox = cli_json(&[
        "pact",
        "inbox",
        "--key",
        arg(&key_file),
        "--node",
        &node.url,
    ]);
    assert_eq!(inbox["pact_url"], host.base.as_str());
    let kinds = inbox["events"].to_string();
    assert!(kinds.contains("RequestFulfilledEvent.3"), "{inbox}");
    assert!(kinds.contains("RequestRejectedEvent.3"), "{inbox}");

    // A source this node may not answer: refused at once.
    let req = request_created(
        3,
        "req-4",
        "http://198.51.100.7:8080",
        serde_json::json!({}),
    );
    let (status, _) = post(&host, 3, &token, &req);
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The partner's host is down when a request comes in; the node is
    // killed with the answer pending and restarted; the answer arrives once
    // the host is back.
    receiver.down.store(true, Ordering::SeqCst);
    let req = request_created(
        3,
        "req-5",
        &source,
        serde_json::json!({"productId": [product]}),
    );
    let (status, _) = post(&host, 3, &token, &req);
    assert_eq!(status, StatusCode::OK);
    std::thread::sleep(Duration::from_millis(1500));
    node.kill();
    node = DevNode::start(dir.path(), &[]).expect("restart");
    receiver.down.store(false, Ordering::SeqCst);
    let (_, answer) = receiver.answer_to("req-5");
    assert!(
        answer["type"].as_str().expect("type").contains("Fulfilled"),
        "{answer}"
    );
    drop(node);
}

/// A public laptop built on an imported aluminium sheet (its casing).
const LAPTOP_ON_IMPORTED_SHEET: &str = r#"
[product]
ids = ["urn:gtin:06900000000031"]
name = "Laptop with an imported aluminium casing"
category = "urn:cpc:45220"
declared_unit = "piece"
declared_unit_amount = "1"
mass_kg = "0.2"
boundary = "cradle-to-gate"
period = { start = "2025-01-01", end = "2026-01-01" }
geography = "CN-BJ"
gwp = "AR6"
privacy = "public"

[[input]]
footprint = "SHEET"
quantity = "0.25"
stage = "raw-materials"

[[input]]
factor = "cn_elec_cfp_2023@1"
amount = "1.5"
stage = "production"
"#;

#[test]
fn pact_documents_import_as_declared_upstreams() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("dev node");
    let key = node.keys().join("assembler.json");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/pact/partner-aluminium-v3.json");

    // A refused document names the field and the rule, and nothing is written.
    let mut broken: Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("fixture")).expect("JSON");
    broken["pcf"]["pcfIncludingBiogenicUptake"] = "3.5".into();
    let broken_file = dir.path().join("broken.json");
    std::fs::write(&broken_file, broken.to_string()).expect("write");
    let run = tanji_tests::cli_json_any(&[
        "pact",
        "import",
        arg(&broken_file),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    assert_ne!(run.code, 0, "{run}");
    assert!(
        run.to_string().contains("pcf.pcfIncludingBiogenicUptake"),
        "{run}"
    );

    // The partner's document imports as a declared footprint, figures as
    // stated (kg → mg exactly).
    let imported = cli_json(&[
        "pact",
        "import",
        arg(&fixture),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let sheet = imported["id"].as_str().expect("id").to_string();
    let fp = block_on(node.client().footprint(&sheet.parse().expect("an id"))).expect("footprint");
    assert_eq!(fp.total_mg, Some(3_000_000));
    let fp_json = serde_json::to_value(&fp).expect("json");
    assert_eq!(fp_json["privacy_level"], "declared", "{fp_json}");
    assert_eq!(fp_json["privacy"]["issuer"], "Nordic Rolled Aluminium AS");

    // A laptop builds on it like on any upstream; verification recomputes
    // the laptop and reports the sheet as a declared leaf.
    let model = dir.path().join("laptop.toml");
    std::fs::write(&model, LAPTOP_ON_IMPORTED_SHEET.replace("SHEET", &sheet)).expect("write");
    let laptop = cli_json(&[
        "footprint",
        "attest",
        arg(&model),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let laptop = laptop["id"].as_str().expect("id").to_string();
    let report = cli_json(&["footprint", "verify", &laptop, "--node", &node.url]);
    assert_eq!(report["verified"], true, "{report}");
    let leaf = report["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == sheet.as_str())
        .expect("the sheet is in the tree");
    assert_eq!(leaf["privacy"], "declared");
    let declared = leaf["declared"].as_str().expect("declared leaf");
    assert!(
        declared.contains("declared by Nordic Rolled Aluminium AS")
            && declared.contains("not recomputable"),
        "{declared}"
    );
    assert!(!declared.contains("verified by the PACT extension"));

    // A document served with a Tanji proof imports with what the proof
    // established; it is not served again over PACT (it is the partner's).
    let partner = connect(&node);
    let token = block_on(
        partner
            .host
            .access_token(&partner.client_id, &partner.secret),
    );
    let (status, _, served) = block_on(partner.host.get(
        &format!("{}/3/footprints/{}", partner.host.base, partner.laptop.1),
        &token,
    ));
    assert_eq!(status, StatusCode::OK);
    let with_proof = dir.path().join("laptop.pact.json");
    std::fs::write(&with_proof, served.to_string()).expect("write");
    let imported = cli_json(&[
        "pact",
        "import",
        arg(&with_proof),
        "--key",
        arg(&key),
        "--node",
        &node.url,
    ]);
    let again = imported["id"].as_str().expect("id").to_string();
    let tree = cli_json(&["footprint", "verify", &again, "--node", &node.url]);
    assert!(
        tree["nodes"][0]["declared"]
            .as_str()
            .is_some_and(|d| d.contains("verified by the PACT extension")),
        "{tree}"
    );
    let pf = tanji_pact::pf_id(&again.parse().expect("an id")).to_string();
    let (status, _, _) = block_on(
        partner
            .host
            .get(&format!("{}/3/footprints/{pf}", partner.host.base), &token),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
}
