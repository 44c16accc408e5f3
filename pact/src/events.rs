//! PACT events (CloudEvents 1.0, structured mode): parsing what partners
//! send to `/2/events` and `/3/events`, checking where an answer may go,
//! and building the events a host sends back.
//!
//! | purpose | v2 `type` | v3 `type` |
//! |---|---|---|
//! | published | `org.wbcsd.pathfinder.ProductFootprint.Published.v1` | `org.wbcsd.pact.ProductFootprint.PublishedEvent.3` |
//! | request | `org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1` | `org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3` |
//! | fulfilled | `org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1` | `org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3` |
//! | rejected | `org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1` | `org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3` |
//!
//! Every field is checked before anything is done with an event, and a
//! refusal names the field ([`EventError`]); the host answers it with 400.
//! An answer goes to `source + "/2/events"` or `"/3/events"`, and only to a
//! source that [`callback_base`] accepts: HTTPS, or plain HTTP to this
//! machine when the host allows it (development and conformance runs).

use serde_json::{json, Value};

use crate::filter::{parse_timestamp, Filter};

/// Longest event accepted, bytes.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;
/// Longest `id` or `requestEventId`.
pub const MAX_ID_LEN: usize = 256;
/// Longest `source`.
pub const MAX_SOURCE_LEN: usize = 2048;
/// Most ids or criteria values in one event.
pub const MAX_LIST: usize = 100;

/// What an event is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Footprints were published or updated.
    Published,
    /// A request for footprints.
    RequestCreated,
    /// The answer to a request, with footprints.
    RequestFulfilled,
    /// The answer to a request that cannot be met.
    RequestRejected,
}

impl EventType {
    const ALL: [EventType; 4] = [
        EventType::Published,
        EventType::RequestCreated,
        EventType::RequestFulfilled,
        EventType::RequestRejected,
    ];

    /// The CloudEvents `type` in PACT `version` (2 or 3).
    pub fn name(self, version: u8) -> &'static str {
        match (self, version) {
            (EventType::Published, 2) => "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
            (EventType::RequestCreated, 2) => {
                "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"
            }
            (EventType::RequestFulfilled, 2) => {
                "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1"
            }
            (EventType::RequestRejected, 2) => {
                "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1"
            }
            (EventType::Published, _) => "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
            (EventType::RequestCreated, _) => {
                "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
            }
            (EventType::RequestFulfilled, _) => {
                "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
            }
            (EventType::RequestRejected, _) => {
                "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
            }
        }
    }

    fn parse(name: &str, version: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name(version) == name)
    }
}

/// What an event says, by type.
#[derive(Clone, Debug, PartialEq)]
pub enum EventData {
    /// `pfIds`: footprints the receiver may now fetch.
    Published {
        /// Their ids (UUIDs, lower case).
        pf_ids: Vec<String>,
    },
    /// Which footprints the requester wants (v2's `pf` fragment becomes the
    /// equivalent criteria on product and company ids).
    RequestCreated {
        /// The criteria.
        criteria: Filter,
        /// The requester's comment.
        comment: Option<String>,
    },
    /// Footprints answering request `request_event_id`.
    RequestFulfilled {
        /// The request's event id.
        request_event_id: String,
        /// The footprints, as sent.
        pfs: Vec<Value>,
    },
    /// Why request `request_event_id` cannot be met.
    RequestRejected {
        /// The request's event id.
        request_event_id: String,
        /// The error code.
        code: String,
        /// The error message.
        message: String,
    },
}

impl EventData {
    /// The request an answer (RequestFulfilled, RequestRejected) answers.
    pub fn answers(&self) -> Option<&str> {
        match self {
            EventData::RequestFulfilled {
                request_event_id, ..
            }
            | EventData::RequestRejected {
                request_event_id, ..
            } => Some(request_event_id),
            _ => None,
        }
    }
}

/// A checked event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Its type.
    pub kind: EventType,
    /// `id`: unique per source.
    pub id: String,
    /// `source`: where it comes from (and where answers go).
    pub source: String,
    /// `time`, when given.
    pub time: Option<String>,
    /// `data`.
    pub data: EventData,
}

/// Why an event was refused: the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct EventError {
    /// The offending field (`type`, `data.pfIds[2]`, …).
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

fn bad<T>(field: impl Into<String>, problem: impl Into<String>) -> Result<T, EventError> {
    Err(EventError {
        field: field.into(),
        problem: problem.into(),
    })
}

fn text<'a>(v: &'a Value, field: &str, max: usize) -> Result<&'a str, EventError> {
    match v.get(field.rsplit('.').next().unwrap_or(field)) {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= max => Ok(s),
        Some(Value::String(_)) => bad(field, format!("must be 1 to {max} characters")),
        Some(_) => bad(field, "must be a string"),
        None => bad(field, "is missing"),
    }
}

fn strings(v: Option<&Value>, field: &str) -> Result<Vec<String>, EventError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => {
            if items.len() > MAX_LIST {
                return bad(field, format!("at most {MAX_LIST} values"));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, x)| match x {
                    Value::String(s) if s.len() <= MAX_SOURCE_LEN => Ok(s.clone()),
                    _ => bad(format!("{field}[{i}]"), "must be a string"),
                })
                .collect()
        }
        Some(_) => bad(field, "must be a string or a list of strings"),
    }
}

fn optional_text(v: &Value, name: &str, field: &str) -> Result<Option<String>, EventError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() <= MAX_SOURCE_LEN => Ok(Some(s.clone())),
        Some(_) => bad(field, "must be a string"),
    }
}

fn criteria(version: u8, data: &Value) -> Result<(Filter, Option<String>), EventError> {
    let comment = optional_text(data, "comment", "data.comment")?;
    if version == 2 {
        let pf = data.get("pf").filter(|p| p.is_object());
        let Some(pf) = pf else {
            return bad("data.pf", "must be a ProductFootprint fragment (an object)");
        };
        let filter = Filter {
            product_ids: strings(pf.get("productIds"), "data.pf.productIds")?,
            company_ids: strings(pf.get("companyIds"), "data.pf.companyIds")?,
            ..Filter::default()
        };
        return Ok((filter, comment));
    }
    let filter = Filter {
        product_ids: strings(data.get("productId"), "data.productId")?,
        company_ids: strings(data.get("companyId"), "data.companyId")?,
        geography: strings(data.get("geography"), "data.geography")?,
        classifications: strings(data.get("classification"), "data.classification")?,
        valid_on: optional_text(data, "validOn", "data.validOn")?,
        valid_after: optional_text(data, "validAfter", "data.validAfter")?,
        valid_before: optional_text(data, "validBefore", "data.validBefore")?,
        status: strings(data.get("status"), "data.status")?,
    };
    Ok((filter, comment))
}

/// Parses and checks an event sent to `/{version}/events`.
pub fn parse_event(version: u8, body: &[u8]) -> Result<Event, EventError> {
    if body.len() > MAX_EVENT_BYTES {
        return bad("event", format!("larger than {MAX_EVENT_BYTES} bytes"));
    }
    let v: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return bad(
                "event",
                "must be a JSON object (CloudEvents structured mode)",
            )
        }
        Err(e) => return bad("event", format!("not JSON: {e}")),
    };
    if text(&v, "specversion", 16)? != "1.0" {
        return bad("specversion", "must be \"1.0\"");
    }
    let name = text(&v, "type", 256)?;
    let Some(kind) = EventType::parse(name, version) else {
        return bad(
            "type",
            format!("{name:?} is not a PACT v{version} event type"),
        );
    };
    let id = text(&v, "id", MAX_ID_LEN)?.to_string();
    let source = text(&v, "source", MAX_SOURCE_LEN)?.to_string();
    let time = optional_text(&v, "time", "time")?;
    if let Some(t) = &time {
        if parse_timestamp(t).is_none() {
            return bad("time", "must be an RFC 3339 timestamp");
        }
    } else if version == 3 {
        return bad("time", "is missing");
    }
    let Some(data) = v.get("data").filter(|d| d.is_object()) else {
        return bad("data", "must be an object");
    };
    let data = match kind {
        EventType::Published => {
            let ids = strings(data.get("pfIds"), "data.pfIds")?;
            if ids.is_empty() {
                return bad("data.pfIds", "must list at least one footprint id");
            }
            let mut pf_ids = Vec::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                match crate::parse_pf_id(id) {
                    Some(u) => pf_ids.push(u.to_string()),
                    None => {
                        return bad(format!("data.pfIds[{i}]"), format!("{id:?} is not a UUID"))
                    }
                }
            }
            EventData::Published { pf_ids }
        }
        EventType::RequestCreated => {
            let (criteria, comment) = criteria(version, data)?;
            EventData::RequestCreated { criteria, comment }
        }
        EventType::RequestFulfilled => {
            let request_event_id = text(data, "data.requestEventId", MAX_ID_LEN)?.to_string();
            let pfs = match data.get("pfs") {
                Some(Value::Array(p)) if p.len() <= MAX_LIST => p.clone(),
                Some(Value::Array(_)) => return bad("data.pfs", format!("at most {MAX_LIST}")),
                _ => return bad("data.pfs", "must be a list of ProductFootprints"),
            };
            EventData::RequestFulfilled {
                request_event_id,
                pfs,
            }
        }
        EventType::RequestRejected => {
            let request_event_id = text(data, "data.requestEventId", MAX_ID_LEN)?.to_string();
            let Some(error) = data.get("error").filter(|e| e.is_object()) else {
                return bad("data.error", "must be an object with code and message");
            };
            EventData::RequestRejected {
                request_event_id,
                code: text(error, "data.error.code", 256)?.to_string(),
                message: text(error, "data.error.message", MAX_SOURCE_LEN)?.to_string(),
            }
        }
    };
    Ok(Event {
        kind,
        id,
        source,
        time,
        data,
    })
}

/// Where answers to an event from `source` go: its base URL without a
/// trailing `/` (answers are posted to `BASE/2/events` or `BASE/3/events`,
/// tokens fetched from `BASE/auth/token`). HTTPS only, except plain HTTP to
/// this machine (`127.0.0.1`, `localhost`, `[::1]`) when `allow_http`. A
/// v2-style `//host/path` source means HTTPS. No user info, query or
/// fragment.
pub fn callback_base(source: &str, allow_http: bool) -> Result<String, EventError> {
    let (scheme, rest) = if let Some(r) = source.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = source.strip_prefix("http://") {
        ("http", r)
    } else if let Some(r) = source.strip_prefix("//") {
        ("https", r)
    } else {
        return bad(
            "source",
            "must be an https:// URL of the sender's PACT host",
        );
    };
    if rest.is_empty()
        || rest
            .bytes()
            .any(|b| !b.is_ascii_graphic() || matches!(b, b'@' | b'?' | b'#' | b'\\'))
    {
        return bad(
            "source",
            "must be a plain URL (no user info, query or fragment)",
        );
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return bad("source", "names no host");
    }
    if scheme == "http" {
        // `[v6]:port`, `[v6]`, `name:port` or `name`.
        let (name, port) = match host.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((addr, rest)) => (format!("[{addr}]"), rest.strip_prefix(':')),
                None => return bad("source", "has a malformed IPv6 host"),
            },
            None => match host.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (host.to_string(), None),
            },
        };
        if port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return bad("source", "has a malformed port");
        }
        let name = name.as_str();
        let local = matches!(name, "127.0.0.1" | "localhost" | "[::1]");
        if !(allow_http && local) {
            return bad(
                "source",
                "plain http:// is accepted only for hosts on this machine, when the node allows it",
            );
        }
    }
    Ok(format!("{scheme}://{}", rest.trim_end_matches('/')))
}

/// A fresh event id (a random UUID).
pub fn new_event_id() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)?;
    Ok(uuid::Builder::from_random_bytes(b).into_uuid().to_string())
}

/// An event of `kind` in `version`, from `source`, at `time` (RFC 3339).
pub fn envelope(
    kind: EventType,
    version: u8,
    id: &str,
    source: &str,
    time: &str,
    data: Value,
) -> Value {
    json!({
        "specversion": "1.0",
        "id": id,
        "source": source,
        "time": time,
        "type": kind.name(version),
        "data": data,
    })
}

/// `data` of a RequestCreated event asking for footprints of any of
/// `product_ids`: v3's `productId` criterion, v2's `pf.productIds` fragment.
pub fn request_data(version: u8, product_ids: &[String], comment: Option<&str>) -> Value {
    let mut data = if version == 2 {
        json!({ "pf": { "productIds": product_ids } })
    } else {
        json!({ "productId": product_ids })
    };
    if let Some(c) = comment {
        data["comment"] = c.into();
    }
    data
}

/// `data` of a RequestFulfilled event.
pub fn fulfilled_data(request_event_id: &str, pfs: Vec<Value>) -> Value {
    json!({ "requestEventId": request_event_id, "pfs": pfs })
}

/// `data` of a RequestRejected event.
pub fn rejected_data(request_event_id: &str, code: &str, message: &str) -> Value {
    json!({
        "requestEventId": request_event_id,
        "error": { "code": code, "message": message },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(version: u8, kind: EventType, data: Value) -> Vec<u8> {
        envelope(
            kind,
            version,
            "e-1",
            "https://partner.example/pact",
            "2026-01-02T03:04:05Z",
            data,
        )
        .to_string()
        .into_bytes()
    }

    #[test]
    fn built_requests_parse_back_and_answers_name_them() {
        let ids = vec!["urn:gtin:4712345060507".to_string()];
        for version in [2, 3] {
            let raw = event(
                version,
                EventType::RequestCreated,
                request_data(version, &ids, Some("for the 2026 report")),
            );
            let parsed = parse_event(version, &raw).expect("a request we build is valid");
            let EventData::RequestCreated { criteria, comment } = &parsed.data else {
                panic!("not a request");
            };
            assert_eq!(criteria.product_ids, ids);
            assert_eq!(comment.as_deref(), Some("for the 2026 report"));
            assert_eq!(parsed.data.answers(), None);
            let answer = event(
                version,
                EventType::RequestRejected,
                rejected_data("req-9", "NotFound", "none"),
            );
            let answer = parse_event(version, &answer).expect("a rejection");
            assert_eq!(answer.data.answers(), Some("req-9"));
        }
    }

    #[test]
    fn requests_of_both_versions_become_criteria() {
        let v3 = parse_event(
            3,
            &event(
                3,
                EventType::RequestCreated,
                json!({"productId": ["urn:gtin:1"], "geography": "CN", "comment": "please"}),
            ),
        )
        .expect("v3 request");
        let EventData::RequestCreated { criteria, comment } = v3.data else {
            panic!("not a request");
        };
        assert_eq!(criteria.product_ids, vec!["urn:gtin:1".to_string()]);
        assert_eq!(criteria.geography, vec!["CN".to_string()]);
        assert_eq!(comment.as_deref(), Some("please"));
        let v2 = parse_event(
            2,
            &event(
                2,
                EventType::RequestCreated,
                json!({"pf": {"productIds": ["urn:gtin:2"]}}),
            ),
        )
        .expect("v2 request");
        let EventData::RequestCreated { criteria, .. } = v2.data else {
            panic!("not a request");
        };
        assert_eq!(criteria.product_ids, vec!["urn:gtin:2".to_string()]);
    }

    #[test]
    fn refusals_name_the_field() {
        let cases: Vec<(u8, Vec<u8>, &str)> = vec![
            (3, b"[]".to_vec(), "event"),
            (3, b"{".to_vec(), "event"),
            (
                3,
                event(
                    3,
                    EventType::Published,
                    json!({"pfIds": ["urn:gtin:4712345060507"]}),
                ),
                "data.pfIds[0]",
            ),
            (
                3,
                event(3, EventType::Published, json!({"pfIds": []})),
                "data.pfIds",
            ),
            (
                2,
                event(3, EventType::Published, json!({"pfIds": []})),
                "type",
            ),
            (2, event(2, EventType::RequestCreated, json!({})), "data.pf"),
            (
                3,
                event(3, EventType::RequestFulfilled, json!({"pfs": []})),
                "data.requestEventId",
            ),
            (
                3,
                event(
                    3,
                    EventType::RequestRejected,
                    json!({"requestEventId": "x"}),
                ),
                "data.error",
            ),
        ];
        for (version, body, field) in cases {
            let e = parse_event(version, &body).expect_err("refused");
            assert_eq!(e.field, field, "{e}");
        }
        let mut no_time: Value = serde_json::from_slice(&event(
            3,
            EventType::Published,
            json!({"pfIds": ["00000000-0000-0000-0000-000000000000"]}),
        ))
        .expect("json");
        no_time.as_object_mut().expect("object").remove("time");
        assert_eq!(
            parse_event(3, no_time.to_string().as_bytes())
                .expect_err("v3 needs time")
                .field,
            "time"
        );
    }

    #[test]
    fn published_ids_are_normalised() {
        let e = parse_event(
            3,
            &event(
                3,
                EventType::Published,
                json!({"pfIds": ["3F1B2C4D-0000-4000-8000-000000000001"]}),
            ),
        )
        .expect("published");
        assert_eq!(
            e.data,
            EventData::Published {
                pf_ids: vec!["3f1b2c4d-0000-4000-8000-000000000001".into()]
            }
        );
    }

    #[test]
    fn callback_bases() {
        assert_eq!(
            callback_base("https://host.example/sub/", false),
            Ok("https://host.example/sub".into())
        );
        assert_eq!(
            callback_base("//host.example/sub", false),
            Ok("https://host.example/sub".into())
        );
        assert_eq!(
            callback_base("http://127.0.0.1:8004", true),
            Ok("http://127.0.0.1:8004".into())
        );
        for (s, allow) in [
            ("http://127.0.0.1:8004", false),
            ("http://example.com", true),
            ("http://127.0.0.1.evil.com:80", true),
            ("https://user@host", true),
            ("https://host/?q=1", true),
            ("ftp://host", true),
            ("https://", true),
            ("https:///path", true),
            ("http://127.0.0.1:99999", true),
        ] {
            assert!(callback_base(s, allow).is_err(), "{s}");
        }
    }

    proptest::proptest! {
        /// Never panics, whatever the bytes.
        #[test]
        fn parse_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300), v in 2u8..=3) {
            let _ = parse_event(v, &body);
        }
    }
}
