//! The simulation behind [`super::events`]: a small Windows domain (a DC, a CA, servers and
//! workstations) whose logon sessions and key storage providers write Security events.
//!
//! State is bounded (a fixed set of hosts, accounts and keys, at most [`MAX_SESSIONS`] open
//! sessions and one episode of pending events), so the stream runs in O(1) memory.

use std::collections::VecDeque;

use super::rng::{hash_str, mix, Rng};
use super::time::{civil, days_from_civil};
use super::{GenEvent, Spec};

/// The domain SID prefix of CONTOSO.
pub(crate) const DOMAIN_SID: &str = "S-1-5-21-3457937927-2839227994-823803824";
/// The NetBIOS domain name.
const DOMAIN: &str = "CONTOSO";
/// Provider of every event.
pub(crate) const PROVIDER_NAME: &str = "Microsoft-Windows-Security-Auditing";
/// Its GUID as Windows writes it.
pub(crate) const PROVIDER_GUID: &str = "{54849625-5478-4994-A5BA-3E3B0328C30D}";

const SOFTWARE_KSP: &str = "Microsoft Software Key Storage Provider";
const SMART_CARD_KSP: &str = "Microsoft Smart Card Key Storage Provider";
const KW_SUCCESS: u64 = 0x8020_0000_0000_0000;
const KW_FAILURE: u64 = 0x8010_0000_0000_0000;
const SYSTEM_LOGON: u64 = 0x3e7;
/// Upper bound on simultaneously open logon sessions.
const MAX_SESSIONS: usize = 16;
const NS_PER_US: i64 = 1_000;
const NS_PER_S: i64 = 1_000_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Dc,
    Ca,
    Server,
    Workstation,
}

struct Host {
    fqdn: &'static str,
    short: &'static str,
    rid: u32,
    lsass: u32,
    services: u32,
    svchost: u32,
    record_base: u64,
    ip: &'static str,
    machine_guid: &'static str,
    kind: HostKind,
}

static HOSTS: [Host; 7] = [
    Host {
        fqdn: "DC01.contoso.local",
        short: "DC01",
        rid: 1000,
        lsass: 636,
        services: 620,
        svchost: 0x3a8,
        record_base: 1_048_440,
        ip: "10.0.10.11",
        machine_guid: "5b4a3a1e-9f2c-4e61-8d0b-2c7e91a4f3d2",
        kind: HostKind::Dc,
    },
    Host {
        fqdn: "CA01.contoso.local",
        short: "CA01",
        rid: 1107,
        lsass: 712,
        services: 700,
        svchost: 0x41c,
        record_base: 228_113,
        ip: "10.0.10.21",
        machine_guid: "e1f0c2b4-6a7d-4c3e-9b58-0d2f4a6c8e17",
        kind: HostKind::Ca,
    },
    Host {
        fqdn: "FS01.contoso.local",
        short: "FS01",
        rid: 1108,
        lsass: 604,
        services: 592,
        svchost: 0x398,
        record_base: 512_301,
        ip: "10.0.10.31",
        machine_guid: "0c9d8e7f-1a2b-4c3d-8e5f-6a7b8c9d0e1f",
        kind: HostKind::Server,
    },
    Host {
        fqdn: "SQL01.contoso.local",
        short: "SQL01",
        rid: 1109,
        lsass: 588,
        services: 576,
        svchost: 0x3b0,
        record_base: 77_902,
        ip: "10.0.10.41",
        machine_guid: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        kind: HostKind::Server,
    },
    Host {
        fqdn: "WS-0142.contoso.local",
        short: "WS-0142",
        rid: 1142,
        lsass: 788,
        services: 772,
        svchost: 0x5c4,
        record_base: 88_120,
        ip: "10.0.20.142",
        machine_guid: "3f2e1d0c-b9a8-4765-8432-10fedcba9876",
        kind: HostKind::Workstation,
    },
    Host {
        fqdn: "WS-0187.contoso.local",
        short: "WS-0187",
        rid: 1187,
        lsass: 812,
        services: 796,
        svchost: 0x61c,
        record_base: 91_207,
        ip: "10.0.20.187",
        machine_guid: "7d6c5b4a-3928-4716-a5b4-c3d2e1f00f1e",
        kind: HostKind::Workstation,
    },
    Host {
        fqdn: "WS-0203.contoso.local",
        short: "WS-0203",
        rid: 1163,
        lsass: 804,
        services: 788,
        svchost: 0x5f0,
        record_base: 40_518,
        ip: "10.0.20.203",
        machine_guid: "a0b1c2d3-e4f5-4607-9819-2a3b4c5d6e7f",
        kind: HostKind::Workstation,
    },
];
const DC01: usize = 0;
const CA01: usize = 1;
const FS01: usize = 2;
const SQL01: usize = 3;
const WS0142: usize = 4;
const WS0187: usize = 5;
const WS0203: usize = 6;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Admin,
    Service,
    User,
}

struct Account {
    name: &'static str,
    sid: &'static str,
    kind: Kind,
    /// The workstation the account works from (or the server it runs on).
    home: usize,
    /// Servers a service account runs on.
    runs_on: &'static [usize],
    smartcard: bool,
}

static ACCOUNTS: [Account; 10] = [
    Account {
        name: "dadmin",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1104",
        kind: Kind::Admin,
        home: WS0142,
        runs_on: &[],
        smartcard: false,
    },
    Account {
        name: "Administrator",
        sid: "S-1-5-21-3457937927-2839227994-823803824-500",
        kind: Kind::Admin,
        home: WS0187,
        runs_on: &[],
        smartcard: false,
    },
    Account {
        name: "svc-backup",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1121",
        kind: Kind::Service,
        home: CA01,
        runs_on: &[CA01, FS01, SQL01],
        smartcard: false,
    },
    Account {
        name: "svc-pki",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1122",
        kind: Kind::Service,
        home: CA01,
        runs_on: &[CA01],
        smartcard: false,
    },
    Account {
        name: "svc-sql",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1131",
        kind: Kind::Service,
        home: SQL01,
        runs_on: &[SQL01],
        smartcard: false,
    },
    Account {
        name: "jsmith",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1201",
        kind: Kind::User,
        home: WS0142,
        runs_on: &[],
        smartcard: true,
    },
    Account {
        name: "mgarcia",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1202",
        kind: Kind::User,
        home: WS0187,
        runs_on: &[],
        smartcard: false,
    },
    Account {
        name: "山田",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1203",
        kind: Kind::User,
        home: WS0203,
        runs_on: &[],
        smartcard: false,
    },
    Account {
        name: "akumar",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1204",
        kind: Kind::User,
        home: WS0187,
        runs_on: &[],
        smartcard: false,
    },
    Account {
        name: "lchen",
        sid: "S-1-5-21-3457937927-2839227994-823803824-1205",
        kind: Kind::User,
        home: WS0203,
        runs_on: &[],
        smartcard: true,
    },
];
const DADMIN: usize = 0;
const SVC_BACKUP: usize = 2;
const SVC_PKI: usize = 3;
const JSMITH: usize = 5;
const MGARCIA: usize = 6;
const YAMADA: usize = 7;

/// A key that events name.
struct Key {
    name: String,
    alg: &'static str,
    machine: bool,
    smartcard: bool,
    /// The key file (software KSP keys only).
    file: Option<String>,
}

const ALGS: [&str; 9] = [
    "RSA",
    "DSA",
    "DH",
    "ECDH_P256",
    "ECDH_P384",
    "ECDH_P521",
    "ECDSA_P256",
    "ECDSA_P384",
    "ECDSA_P521",
];

/// A GUID-like lowercase string derived from a name (stable across seeds).
fn uuid_from(name: &str, salt: u64) -> String {
    let a = mix(hash_str(name) ^ salt);
    let b = mix(a ^ 0x5059);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// The key name of the Connected Devices Platform's device certificate.
const CDP_KEY: &str = "Microsoft Connected Devices Platform device certificate";

/// Remote Desktop's self-signed certificate key on `host`.
fn rd_cert_key(host: usize) -> String {
    format!(
        "RdCertificateFactory-Key{{{}}}",
        uuid_from(HOSTS[host].short, 88)
    )
}

/// The file name CNG gives a key container: a 32-hex hash and the machine GUID.
fn key_file_name(name: &str, host: usize) -> String {
    let a = mix(hash_str(name));
    let b = mix(a);
    format!("{:016x}{:016x}_{}", a, b, HOSTS[host].machine_guid)
}

fn machine_keys(host: usize) -> Vec<Key> {
    let h = &HOSTS[host];
    let mut names: Vec<(String, &'static str)> = vec![
        ("TSSecKeySet1".to_string(), "RSA"),
        (uuid_from(h.short, 1), "RSA"),
    ];
    match h.kind {
        HostKind::Dc => {
            names.push((
                format!("te-DomainController-{}", uuid_from(h.short, 2)),
                "RSA",
            ));
            names.push((
                format!("te-KerberosAuthentication-{}", uuid_from(h.short, 3)),
                "ECDSA_P384",
            ));
        }
        HostKind::Ca => {
            names.push(("CONTOSO-CA01-CA".to_string(), "RSA"));
            names.push(("R&D-backup".to_string(), "ECDSA_P384"));
            names.push((format!("te-OCSP-{}", uuid_from(h.short, 4)), "ECDSA_P256"));
        }
        HostKind::Server => {
            names.push((format!("te-WebServer-{}", uuid_from(h.short, 5)), "RSA"));
            names.push((format!("te-Machine-{}", uuid_from(h.short, 6)), "ECDH_P384"));
        }
        HostKind::Workstation => {
            names.push((format!("te-Machine-{}", uuid_from(h.short, 6)), "ECDH_P256"));
        }
    }
    names
        .into_iter()
        .map(|(name, alg)| {
            let file = format!(
                "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\{}",
                key_file_name(&name, host)
            );
            Key {
                name,
                alg,
                machine: true,
                smartcard: false,
                file: Some(file),
            }
        })
        .collect()
}

fn user_keys(acct: usize) -> Vec<Key> {
    let a = &ACCOUNTS[acct];
    let salt = u64::from(a.sid.len() as u32) ^ hash_str(a.sid);
    let mut names: Vec<(String, &'static str, bool)> = vec![
        (format!("le-User-{}", uuid_from(a.name, salt)), "RSA", false),
        (
            uuid_from(a.name, salt ^ 7),
            ALGS[(salt % ALGS.len() as u64) as usize],
            false,
        ),
    ];
    match acct {
        DADMIN => names.push((
            "le-SuperAdmin-795fd6c1-2fae-4bef-a6bc-4f4d464bc083".to_string(),
            "ECDH_P521",
            false,
        )),
        YAMADA => names.push(("山田-署名<2026>".to_string(), "ECDSA_P384", false)),
        _ => {}
    }
    if a.smartcard {
        names.push((
            format!("le-SmartcardLogon-{}", uuid_from(a.name, salt ^ 9)),
            if acct == JSMITH { "RSA" } else { "ECDSA_P256" },
            true,
        ));
    }
    if a.kind != Kind::User {
        names.push((
            format!("le-EFSRecovery-{}", uuid_from(a.name, salt ^ 11)),
            ALGS[((salt >> 8) % ALGS.len() as u64) as usize],
            false,
        ));
    }
    names
        .into_iter()
        .map(|(name, alg, smartcard)| {
            let file = (!smartcard).then(|| {
                format!(
                    "C:\\Users\\{}\\AppData\\Roaming\\Microsoft\\Crypto\\Keys\\{}",
                    a.name,
                    key_file_name(&name, a.home)
                )
            });
            Key {
                name,
                alg,
                machine: false,
                smartcard,
                file,
            }
        })
        .collect()
}

/// Who a logon session belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Account(usize),
    /// A computer account (`HOST$`) logging on over the network.
    Machine(usize),
}

#[derive(Clone, Copy)]
struct Session {
    host: usize,
    who: Who,
    logon_id: u64,
    logon_type: u8,
    /// Key actions left before the session ends.
    budget: u32,
}

/// The subject of a key event.
struct Subject {
    sid: String,
    name: String,
    domain: String,
    logon_id: u64,
}

/// The generator state.
pub(crate) struct Sim {
    rng: Rng,
    now: i64,
    remaining: usize,
    pending: VecDeque<GenEvent>,
    started: bool,
    sessions: Vec<Session>,
    next_record: [u64; HOSTS.len()],
    next_logon: [u64; HOSTS.len()],
    host_keys: Vec<Vec<Key>>,
    acct_keys: Vec<Vec<Key>>,
    /// SYSTEM's own user keys per host (systemprofile).
    system_keys: Vec<Vec<Key>>,
    /// Whether each account's Connected Devices Platform certificate exists yet.
    cdp_made: Vec<bool>,
    /// Whether the planted out-of-hours machine-key export has happened.
    incident_done: bool,
    /// Only routine key activity (and the planted incident unless it is marked done).
    routine_only: bool,
}

impl Sim {
    /// A log of routine key activity only, as the shared facts describe real machines: people
    /// signing in (the Connected Devices Platform's certificate), the computer accounts'
    /// GUID-named keys, Remote Desktop's keys. With `incident`, the planted incident too (see
    /// [`Sim::incident`]).
    pub(crate) fn routine(spec: &Spec, incident: bool) -> Sim {
        let mut sim = Self::new(spec);
        sim.routine_only = true;
        sim.started = true;
        sim.incident_done = !incident;
        sim
    }

    pub(crate) fn new(spec: &Spec) -> Sim {
        let mut rng = Rng::new(spec.seed ^ 0x6b65_7974_7261_696c);
        let start = days_from_civil(2026, 3, 2) * 86_400 * NS_PER_S + 8 * 3600 * NS_PER_S;
        let now = start + (rng.below(2_000_000) as i64) * NS_PER_US;
        let mut next_logon = [0u64; HOSTS.len()];
        for (i, l) in next_logon.iter_mut().enumerate() {
            *l = 0x3_0000 + rng.below(0x6000) + (i as u64) * 0x100;
        }
        // SYSTEM's own GUID-named user keys: what real machines export routinely.
        let system_keys = (0..HOSTS.len())
            .map(|h| {
                (77..80)
                    .map(|salt| {
                        let name = format!("{{{}}}", uuid_from(HOSTS[h].short, salt));
                        let file = format!(
                            "C:\\Windows\\System32\\config\\systemprofile\\AppData\\Roaming\\Microsoft\\Crypto\\Keys\\{}",
                            key_file_name(&name, h)
                        );
                        Key {
                            name,
                            alg: "RSA",
                            machine: false,
                            smartcard: false,
                            file: Some(file),
                        }
                    })
                    .collect()
            })
            .collect();
        Sim {
            rng,
            now,
            remaining: spec.events,
            pending: VecDeque::new(),
            started: false,
            sessions: Vec::new(),
            next_record: std::array::from_fn(|i| HOSTS[i].record_base),
            next_logon,
            host_keys: (0..HOSTS.len()).map(machine_keys).collect(),
            acct_keys: (0..ACCOUNTS.len()).map(user_keys).collect(),
            system_keys,
            cdp_made: vec![false; ACCOUNTS.len()],
            incident_done: false,
            routine_only: false,
        }
    }

    // ----- time -------------------------------------------------------------------------

    fn tick_ms(&mut self, lo: u64, hi: u64) {
        self.now += (self.rng.range(lo * 1000, hi * 1000) as i64) * NS_PER_US;
    }

    fn tick_s(&mut self, lo: u64, hi: u64) {
        self.now += (self.rng.range(lo * 1_000_000, hi * 1_000_000) as i64) * NS_PER_US;
    }

    fn business_hours(&self) -> bool {
        let c = civil(self.now);
        c.weekday < 5 && (8..18).contains(&c.hour)
    }

    /// The pause between two activities: short in office hours, long at night and weekends.
    fn idle(&mut self) {
        let c = civil(self.now);
        let mean_s: u64 = if c.weekday >= 5 {
            900
        } else if (8..18).contains(&c.hour) {
            100
        } else if (6..8).contains(&c.hour) || (18..22).contains(&c.hour) {
            420
        } else {
            1200
        };
        if self.rng.chance(1, 8) {
            self.tick_s(mean_s, mean_s * 5);
        } else {
            self.tick_s(0, mean_s * 13 / 10);
        }
        self.tick_ms(0, 999);
    }

    // ----- event building -----------------------------------------------------------------

    fn base(&mut self, host: usize, event_id: u32, task: u16, version: u8, ok: bool) -> GenEvent {
        let rec = self.next_record[host];
        let step = if self.rng.chance(1, 4) {
            1 + self.rng.below(30)
        } else {
            1
        };
        self.next_record[host] = rec + step;
        GenEvent {
            event_id,
            record_id: rec,
            time_nanos: self.now,
            computer: HOSTS[host].fqdn.to_string(),
            keywords: if ok { KW_SUCCESS } else { KW_FAILURE },
            task,
            level: 0,
            opcode: 0,
            version,
            process_id: HOSTS[host].lsass,
            thread_id: (self.rng.range(25, 3000) * 4) as u32,
            data: Vec::new(),
        }
    }

    fn emit(&mut self, e: GenEvent) {
        self.pending.push_back(e);
    }

    fn subject_of(&mut self, s: &Session) -> Subject {
        match s.who {
            Who::Account(a) => Subject {
                sid: ACCOUNTS[a].sid.to_string(),
                name: ACCOUNTS[a].name.to_string(),
                domain: DOMAIN.to_string(),
                logon_id: s.logon_id,
            },
            Who::Machine(m) => Subject {
                sid: format!("{}-{}", DOMAIN_SID, HOSTS[m].rid),
                name: format!("{}$", HOSTS[m].short),
                domain: DOMAIN.to_string(),
                logon_id: s.logon_id,
            },
        }
    }

    /// SYSTEM, as Windows names it in key events: either `SYSTEM`/`NT AUTHORITY` or the
    /// computer account name, always with S-1-5-18 and logon ID 0x3e7.
    fn system_subject(&mut self, host: usize) -> Subject {
        let (name, domain) = if self.rng.chance(1, 2) {
            ("SYSTEM".to_string(), "NT AUTHORITY".to_string())
        } else {
            (format!("{}$", HOSTS[host].short), DOMAIN.to_string())
        };
        Subject {
            sid: "S-1-5-18".to_string(),
            name,
            domain,
            logon_id: SYSTEM_LOGON,
        }
    }

    fn push_subject(data: &mut Vec<(String, String)>, s: &Subject) {
        data.push(("SubjectUserSid".into(), s.sid.clone()));
        data.push(("SubjectUserName".into(), s.name.clone()));
        data.push(("SubjectDomainName".into(), s.domain.clone()));
        data.push(("SubjectLogonId".into(), format!("{:#x}", s.logon_id)));
    }

    fn failure_code(&mut self) -> &'static str {
        let codes = [
            "0x80090010",
            "0x80090010",
            "0x80090016",
            "0x8009000d",
            "0x80090029",
        ];
        self.rng.pick(&codes)
    }

    /// A key event (5058, 5059 or 5061).
    #[allow(clippy::too_many_arguments)]
    fn key_event(
        &mut self,
        host: usize,
        event_id: u32,
        subject: &Subject,
        key: KeyRef,
        alg: &str,
        operation: &str,
        return_code: Option<&str>,
    ) {
        let (task, ok) = match event_id {
            5061 => (12290, return_code.is_none()),
            _ => (12292, return_code.is_none()),
        };
        let (name, machine, smartcard, file) = self.key_parts(key);
        let mut e = self.base(host, event_id, task, 0, ok);
        Self::push_subject(&mut e.data, subject);
        let provider = if smartcard {
            SMART_CARD_KSP
        } else {
            SOFTWARE_KSP
        };
        e.data.push(("ProviderName".into(), provider.into()));
        e.data.push(("AlgorithmName".into(), alg.into()));
        e.data.push(("KeyName".into(), name));
        let kt = if machine { "%%2499" } else { "%%2500" };
        e.data.push(("KeyType".into(), kt.into()));
        if event_id == 5058 {
            e.data
                .push(("KeyFilePath".into(), file.unwrap_or_default()));
        }
        e.data.push(("Operation".into(), operation.into()));
        e.data
            .push(("ReturnCode".into(), return_code.unwrap_or("0x0").into()));
        self.emit(e);
    }

    fn key_parts(&self, key: KeyRef) -> (String, bool, bool, Option<String>) {
        match key {
            KeyRef::Cdp(a) => {
                let file = format!(
                    "C:\\Users\\{}\\AppData\\Roaming\\Microsoft\\Crypto\\Keys\\{}",
                    ACCOUNTS[a].name,
                    key_file_name(CDP_KEY, ACCOUNTS[a].home)
                );
                return (CDP_KEY.to_string(), false, false, Some(file));
            }
            KeyRef::RdCert(h) => {
                let name = rd_cert_key(h);
                let file = format!(
                    "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\{}",
                    key_file_name(&name, h)
                );
                return (name, false, false, Some(file));
            }
            _ => {}
        }
        let k = match key {
            KeyRef::Host(h, i) => self.host_keys.get(h).and_then(|v| v.get(i)),
            KeyRef::Acct(a, i) => self.acct_keys.get(a).and_then(|v| v.get(i)),
            KeyRef::System(h, i) => self.system_keys.get(h).and_then(|v| v.get(i)),
            KeyRef::Cdp(_) | KeyRef::RdCert(_) => None,
        };
        match k {
            Some(k) => (k.name.clone(), k.machine, k.smartcard, k.file.clone()),
            None => (String::new(), false, false, None),
        }
    }

    fn key_alg(&self, key: KeyRef) -> &'static str {
        let k = match key {
            KeyRef::Host(h, i) => self.host_keys.get(h).and_then(|v| v.get(i)),
            KeyRef::Acct(a, i) => self.acct_keys.get(a).and_then(|v| v.get(i)),
            KeyRef::System(h, i) => self.system_keys.get(h).and_then(|v| v.get(i)),
            KeyRef::Cdp(_) | KeyRef::RdCert(_) => None,
        };
        k.map_or("RSA", |k| k.alg)
    }

    fn key_is_smartcard(&self, key: KeyRef) -> bool {
        match key {
            KeyRef::Acct(a, i) => self
                .acct_keys
                .get(a)
                .and_then(|v| v.get(i))
                .is_some_and(|k| k.smartcard),
            _ => false,
        }
    }

    fn host_key(&self, host: usize, name: &str) -> KeyRef {
        let i = self.host_keys[host]
            .iter()
            .position(|k| k.name == name)
            .unwrap_or(0);
        KeyRef::Host(host, i)
    }

    fn acct_key(&self, acct: usize, prefix: &str) -> KeyRef {
        let i = self.acct_keys[acct]
            .iter()
            .position(|k| k.name.starts_with(prefix))
            .unwrap_or(0);
        KeyRef::Acct(acct, i)
    }

    /// A 5061 operation that fits the key's algorithm.
    fn crypto_op(&mut self, alg: &str) -> &'static str {
        if alg.starts_with("ECDH") || alg == "DH" {
            self.rng.pick(&["%%2486", "%%2486", "%%2501", "%%2480"])
        } else if alg.starts_with("ECDSA") || alg == "DSA" {
            self.rng.pick(&["%%2485", "%%2485", "%%2480"])
        } else {
            self.rng
                .pick(&["%%2485", "%%2484", "%%2483", "%%2480", "%%2481"])
        }
    }

    // ----- logon events -------------------------------------------------------------------

    fn new_logon_id(&mut self, host: usize) -> u64 {
        let id = self.next_logon[host];
        self.next_logon[host] = id + 0x100 + self.rng.below(0x8000);
        id
    }

    fn guid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// Writes 4624 (and 4672 for privileged accounts) and returns the new session.
    fn logon(
        &mut self,
        host: usize,
        who: Who,
        logon_type: u8,
        from: usize,
        logon_id: u64,
    ) -> Session {
        let budget = match who {
            Who::Machine(_) => 0,
            Who::Account(a) => match ACCOUNTS[a].kind {
                Kind::Admin => self.rng.range(2, 8) as u32,
                Kind::Service => self.rng.range(4, 20) as u32,
                Kind::User => self.rng.range(2, 10) as u32,
            },
        };
        let s = Session {
            host,
            who,
            logon_id,
            logon_type,
            budget,
        };
        let target = self.subject_of(&s);
        let privileged = matches!(who, Who::Account(a) if ACCOUNTS[a].kind != Kind::User);
        let h = &HOSTS[host];
        let src = &HOSTS[from];
        let ntlm = logon_type == 3 && self.rng.chance(1, 6);
        let mut e = self.base(host, 4624, 12544, 2, true);
        let d = &mut e.data;
        let system = Subject {
            sid: "S-1-5-18".into(),
            name: format!("{}$", h.short),
            domain: DOMAIN.into(),
            logon_id: SYSTEM_LOGON,
        };
        let nobody = Subject {
            sid: "S-1-0-0".into(),
            name: "-".into(),
            domain: "-".into(),
            logon_id: 0,
        };
        Self::push_subject(d, if logon_type == 3 { &nobody } else { &system });
        d.push(("TargetUserSid".into(), target.sid.clone()));
        d.push(("TargetUserName".into(), target.name.clone()));
        d.push(("TargetDomainName".into(), target.domain.clone()));
        d.push(("TargetLogonId".into(), format!("{:#x}", logon_id)));
        d.push(("LogonType".into(), logon_type.to_string()));
        let (proc_name, auth) = match logon_type {
            3 if ntlm => ("NtLmSsp ", "NTLM"),
            3 => ("Kerberos", "Kerberos"),
            5 => ("Advapi  ", "Negotiate"),
            _ => ("User32 ", "Negotiate"),
        };
        d.push(("LogonProcessName".into(), proc_name.into()));
        d.push(("AuthenticationPackageName".into(), auth.into()));
        let workstation = match logon_type {
            2 => h.short,
            10 => src.short,
            3 if ntlm => src.short,
            _ => "-",
        };
        d.push(("WorkstationName".into(), workstation.into()));
        let zero_guid = "{00000000-0000-0000-0000-000000000000}".to_string();
        let logon_guid = if ntlm || logon_type == 5 || matches!(who, Who::Machine(_)) {
            zero_guid
        } else {
            self.guid()
        };
        let d = &mut e.data;
        d.push(("LogonGuid".into(), logon_guid));
        d.push(("TransmittedServices".into(), "-".into()));
        d.push((
            "LmPackageName".into(),
            if ntlm { "NTLM V2" } else { "-" }.into(),
        ));
        d.push(("KeyLength".into(), if ntlm { "128" } else { "0" }.into()));
        let (pid, pname) = match logon_type {
            3 => (0, "-"),
            5 => (h.services, "C:\\Windows\\System32\\services.exe"),
            _ => (h.svchost, "C:\\Windows\\System32\\svchost.exe"),
        };
        d.push(("ProcessId".into(), format!("{:#x}", pid)));
        d.push(("ProcessName".into(), pname.into()));
        let (ip, port) = match logon_type {
            2 => ("127.0.0.1".to_string(), "0".to_string()),
            5 => ("-".to_string(), "-".to_string()),
            10 => (src.ip.to_string(), "0".to_string()),
            _ => (src.ip.to_string(), self.rng.range(49152, 65535).to_string()),
        };
        d.push(("IpAddress".into(), ip));
        d.push(("IpPort".into(), port));
        d.push(("ImpersonationLevel".into(), "%%1833".into()));
        d.push((
            "RestrictedAdminMode".into(),
            if logon_type == 10 { "%%1843" } else { "-" }.into(),
        ));
        d.push(("TargetOutboundUserName".into(), "-".into()));
        d.push(("TargetOutboundDomainName".into(), "-".into()));
        d.push(("VirtualAccount".into(), "%%1843".into()));
        d.push(("TargetLinkedLogonId".into(), "0x0".into()));
        let elevated = privileged || logon_type == 3 || logon_type == 5;
        d.push((
            "ElevatedToken".into(),
            if elevated { "%%1842" } else { "%%1843" }.into(),
        ));
        self.emit(e);
        if privileged {
            let privs: &[&str] = match who {
                Who::Account(a) if ACCOUNTS[a].kind == Kind::Admin => &[
                    "SeSecurityPrivilege",
                    "SeBackupPrivilege",
                    "SeRestorePrivilege",
                    "SeTakeOwnershipPrivilege",
                    "SeDebugPrivilege",
                    "SeSystemEnvironmentPrivilege",
                    "SeLoadDriverPrivilege",
                    "SeImpersonatePrivilege",
                    "SeDelegateSessionUserImpersonatePrivilege",
                    "SeEnableDelegationPrivilege",
                ],
                _ => &[
                    "SeBackupPrivilege",
                    "SeRestorePrivilege",
                    "SeImpersonatePrivilege",
                ],
            };
            let mut e = self.base(host, 4672, 12548, 0, true);
            Self::push_subject(&mut e.data, &target);
            e.data
                .push(("PrivilegeList".into(), privs.join("\n\t\t\t")));
            self.emit(e);
        }
        s
    }

    /// Writes the end of a session: 4647 (sometimes, for interactive sessions) and 4634.
    fn logoff(&mut self, s: &Session) {
        let t = self.subject_of(s);
        if matches!(s.logon_type, 2 | 10) && self.rng.chance(3, 5) {
            let mut e = self.base(s.host, 4647, 12545, 0, true);
            e.data.push(("TargetUserSid".into(), t.sid.clone()));
            e.data.push(("TargetUserName".into(), t.name.clone()));
            e.data.push(("TargetDomainName".into(), t.domain.clone()));
            e.data
                .push(("TargetLogonId".into(), format!("{:#x}", t.logon_id)));
            self.emit(e);
            self.tick_ms(5, 900);
        }
        let mut e = self.base(s.host, 4634, 12545, 0, true);
        e.data.push(("TargetUserSid".into(), t.sid));
        e.data.push(("TargetUserName".into(), t.name));
        e.data.push(("TargetDomainName".into(), t.domain));
        e.data
            .push(("TargetLogonId".into(), format!("{:#x}", t.logon_id)));
        e.data.push(("LogonType".into(), s.logon_type.to_string()));
        self.emit(e);
    }

    // ----- the opening scene --------------------------------------------------------------

    /// The first events: svc-backup exports the CA's machine key on CA01 (a finding the demo
    /// and tests rely on), dadmin exports a user key on DC01, a Japanese user imports one, and
    /// mgarcia produces a burst of failures.
    fn opening(&mut self) {
        // 1: SYSTEM reads the CA key.
        let sys = self.system_subject(CA01);
        let ca_key = self.host_key(CA01, "CONTOSO-CA01-CA");
        self.key_event(CA01, 5058, &sys, ca_key, "UNKNOWN", "%%2458", None);
        // 2-3: dadmin RDP to DC01 from WS-0142, logon ID 0x38e2d.
        self.tick_s(3, 20);
        let dadmin = self.logon(DC01, Who::Account(DADMIN), 10, WS0142, 0x38e2d);
        // 4-5: svc-backup service logon on CA01.
        self.tick_s(20, 90);
        let backup = self.logon(CA01, Who::Account(SVC_BACKUP), 5, CA01, 0x5a1f3c);
        let sb = self.subject_of(&backup);
        // 6: svc-backup reads the CA key file (AlgorithmName %%2432).
        self.tick_ms(200, 2000);
        self.key_event(CA01, 5058, &sb, ca_key, "%%2432", "%%2458", None);
        // 7: svc-backup exports the CA's machine key.
        self.tick_ms(5, 300);
        self.key_event(CA01, 5059, &sb, ca_key, "RSA", "%%2464", None);
        // 8: jsmith logs on at WS-0142 with the same logon ID as dadmin on DC01.
        self.tick_s(5, 40);
        let jsmith = self.logon(WS0142, Who::Account(JSMITH), 2, WS0142, 0x38e2d);
        // 9: dadmin exports the key from the reference page.
        self.tick_s(2, 30);
        let sd = self.subject_of(&dadmin);
        let le = self.acct_key(DADMIN, "le-SuperAdmin");
        self.key_event(DC01, 5059, &sd, le, "ECDH_P521", "%%2464", None);
        // 10: svc-backup fails to export R&D-backup.
        self.tick_s(1, 10);
        let rd = self.host_key(CA01, "R&D-backup");
        self.key_event(
            CA01,
            5059,
            &sb,
            rd,
            "ECDSA_P384",
            "%%2464",
            Some("0x80090010"),
        );
        // 11: svc-backup's session ends.
        self.tick_s(10, 60);
        self.logoff(&backup);
        // 12: jsmith signs with the smart card.
        self.tick_s(1, 20);
        let sj = self.subject_of(&jsmith);
        let sc = self.acct_key(JSMITH, "le-SmartcardLogon");
        let sc_alg = self.key_alg(sc);
        self.key_event(WS0142, 5061, &sj, sc, sc_alg, "%%2485", None);
        // 13-14: 山田 logs on and imports a key whose name has markup characters.
        self.tick_s(10, 60);
        let y_id = self.new_logon_id(WS0203);
        let yamada = self.logon(WS0203, Who::Account(YAMADA), 2, WS0203, y_id);
        self.tick_s(5, 60);
        let sy = self.subject_of(&yamada);
        let yk = self.acct_key(YAMADA, "山田");
        self.key_event(WS0203, 5059, &sy, yk, "ECDSA_P384", "%%2465", None);
        // 15-16: svc-pki signs with the CA key over the network.
        self.tick_s(5, 40);
        let pki_id = self.new_logon_id(CA01);
        let pki = self.logon(CA01, Who::Account(SVC_PKI), 3, DC01, pki_id);
        self.tick_ms(10, 400);
        let sp = self.subject_of(&pki);
        self.key_event(CA01, 5061, &sp, ca_key, "RSA", "%%2485", None);
        // mgarcia logs on and a burst of failed exports follows.
        self.tick_s(30, 120);
        let mg_id = self.new_logon_id(WS0187);
        let mgarcia = self.logon(WS0187, Who::Account(MGARCIA), 2, WS0187, mg_id);
        self.tick_s(20, 90);
        self.burst(&mgarcia, 6);
        for s in [dadmin, jsmith, yamada, pki, mgarcia] {
            self.sessions.push(s);
        }
    }

    /// A run of failed 5059 exports by one session.
    fn burst(&mut self, s: &Session, min: u64) {
        let subj = self.subject_of(s);
        let n = self.rng.range(min, min + 4);
        for _ in 0..n {
            let key = if self.rng.chance(1, 2) {
                let i = self.rng.below(self.host_keys[s.host].len() as u64) as usize;
                KeyRef::Host(s.host, i)
            } else {
                let a = match s.who {
                    Who::Account(a) => a,
                    Who::Machine(_) => MGARCIA,
                };
                let i = self.rng.below(self.acct_keys[a].len() as u64) as usize;
                KeyRef::Acct(a, i)
            };
            let alg = self.key_alg(key);
            let code = self.failure_code();
            self.key_event(s.host, 5059, &subj, key, alg, "%%2464", Some(code));
            self.tick_ms(300, 4000);
        }
    }

    // ----- the random phase ---------------------------------------------------------------

    fn step(&mut self) {
        if !self.started {
            self.started = true;
            self.opening();
            return;
        }
        self.idle();
        let business = self.business_hours();
        if !business && !self.incident_done {
            self.incident();
            return;
        }
        if self.routine_only {
            self.routine_step();
            return;
        }
        let n = self.sessions.len();
        let weights = [
            // 0: open a session
            if n >= MAX_SESSIONS {
                0
            } else if n < 3 {
                40
            } else if business {
                14
            } else {
                5
            },
            // 1: key activity in a session
            if n == 0 {
                0
            } else if business {
                55
            } else {
                14
            },
            // 2: SYSTEM key activity
            if business { 12 } else { 20 },
            // 3: a session ends early
            if n == 0 {
                0
            } else if business {
                4
            } else {
                8
            },
            // 4: a burst of failures (rare: the opening has the one the demo shows)
            if n == 0 || business { 0 } else { 1 },
            // 5: a computer account logs on to the DC
            5,
        ];
        match self.rng.weighted(&weights) {
            0 => self.open_random(business),
            1 => self.session_activity(),
            2 => self.system_activity(),
            3 => {
                let i = self.rng.below(n as u64) as usize;
                let s = self.sessions.swap_remove(i);
                self.logoff(&s);
            }
            4 => {
                let i = self.rng.below(n as u64) as usize;
                let s = self.sessions[i];
                if matches!(s.who, Who::Account(_)) {
                    self.burst(&s, 4);
                } else {
                    self.system_activity();
                }
            }
            _ => {
                let m = self.rng.pick(&[CA01, FS01, SQL01, WS0142, WS0187, WS0203]);
                let id = self.new_logon_id(DC01);
                let s = self.logon(DC01, Who::Machine(m), 3, m, id);
                self.tick_ms(5, 200);
                self.logoff(&s);
            }
        }
    }

    fn open_random(&mut self, business: bool) {
        // Off hours, admins are the ones who show up (and do interesting things).
        let acct = if !business && self.rng.chance(2, 5) {
            self.rng.pick(&[DADMIN, 1])
        } else {
            self.rng.below(ACCOUNTS.len() as u64) as usize
        };
        let a = &ACCOUNTS[acct];
        let (host, logon_type, from) = match a.kind {
            Kind::Admin => {
                let host = self.rng.pick(&[DC01, CA01, FS01, SQL01, a.home]);
                if host == a.home {
                    (host, 2, host)
                } else {
                    (host, 10, a.home)
                }
            }
            Kind::Service => {
                let host = self.rng.pick(a.runs_on);
                if self.rng.chance(1, 3) {
                    (host, 3, self.rng.pick(&[DC01, FS01, SQL01]))
                } else {
                    (host, 5, host)
                }
            }
            Kind::User => {
                if self.rng.chance(1, 4) {
                    (FS01, 3, a.home)
                } else {
                    (a.home, 2, a.home)
                }
            }
        };
        let id = self.new_logon_id(host);
        let s = self.logon(host, Who::Account(acct), logon_type, from, id);
        self.cdp_at_sign_in(&s);
        self.sessions.push(s);
    }

    fn session_activity(&mut self) {
        let n = self.sessions.len();
        if n == 0 {
            return;
        }
        let i = self.rng.below(n as u64) as usize;
        let s = self.sessions[i];
        let acct = match s.who {
            Who::Account(a) => a,
            Who::Machine(_) => {
                self.sessions.swap_remove(i);
                self.logoff(&s);
                return;
            }
        };
        let subj = self.subject_of(&s);
        let kind = ACCOUNTS[acct].kind;
        // Which key: own user keys, or the host's machine keys for admins and services.
        let use_machine = kind != Kind::User && self.rng.chance(1, 2);
        let key = if use_machine {
            let i = self.rng.below(self.host_keys[s.host].len() as u64) as usize;
            KeyRef::Host(s.host, i)
        } else {
            let i = self.rng.below(self.acct_keys[acct].len() as u64) as usize;
            KeyRef::Acct(acct, i)
        };
        let alg = self.key_alg(key);
        let smartcard = self.key_is_smartcard(key);
        let fail = self.rng.chance(1, 45);
        let code = if fail {
            Some(self.failure_code())
        } else {
            None
        };
        // As on real machines, key files are read most (5058) and exports are rare; most of a
        // person's exports are the Connected Devices Platform's routine one.
        let key = if kind != Kind::Service && !use_machine && self.rng.chance(2, 3) {
            KeyRef::Cdp(acct)
        } else {
            key
        };
        match self.rng.weighted(&[24, 26, 50]) {
            0 => {
                // 5059, often after reading the key file.
                if !smartcard && self.rng.chance(1, 2) {
                    let a = self.read_alg(alg);
                    self.key_event(s.host, 5058, &subj, key, a, "%%2458", None);
                    self.tick_ms(1, 120);
                }
                // The Connected Devices Platform exports its certificate (routine); other keys
                // are mostly imported, now and then exported (what needs a look).
                let cdp = matches!(key, KeyRef::Cdp(_));
                let op = if cdp || self.rng.chance(1, 4) {
                    "%%2464"
                } else {
                    "%%2465"
                };
                let a = if self.rng.chance(1, 40) {
                    "UNKNOWN"
                } else {
                    alg
                };
                self.key_event(s.host, 5059, &subj, key, a, op, code);
            }
            1 => {
                if self.rng.chance(1, 2) {
                    self.key_event(s.host, 5061, &subj, key, alg, "%%2480", None);
                    self.tick_ms(1, 80);
                }
                let op = self.crypto_op(alg);
                self.key_event(s.host, 5061, &subj, key, alg, op, code);
            }
            _ => {
                if smartcard {
                    let op = self.crypto_op(alg);
                    self.key_event(s.host, 5061, &subj, key, alg, op, code);
                } else {
                    let op = self
                        .rng
                        .pick(&["%%2458", "%%2458", "%%2456", "%%2459", "%%2457"]);
                    let a = if op == "%%2458" {
                        self.read_alg(alg)
                    } else {
                        alg
                    };
                    self.key_event(s.host, 5058, &subj, key, a, op, code);
                }
            }
        }
        if let Some(live) = self.sessions.get_mut(i) {
            live.budget = live.budget.saturating_sub(1);
            if live.budget == 0 {
                let s = self.sessions.swap_remove(i);
                self.tick_s(5, 300);
                self.logoff(&s);
            }
        }
    }

    /// AlgorithmName of a "Read persisted key from file": usually UNKNOWN, sometimes %%2432.
    fn read_alg(&mut self, alg: &'static str) -> &'static str {
        match self.rng.below(10) {
            0..=4 => "UNKNOWN",
            5..=7 => "%%2432",
            _ => alg,
        }
    }

    /// Remote Desktop makes its self-signed certificate: probes for the key, creates it, then
    /// exports it, as the computer account.
    fn rd_certificate(&mut self, host: usize) {
        let subj = self.system_subject(host);
        let key = KeyRef::RdCert(host);
        self.tick_ms(1, 100);
        self.key_event(host, 5061, &subj, key, "RSA", "%%2480", Some("0x80090016"));
        self.tick_ms(5, 600);
        self.key_event(host, 5061, &subj, key, "RSA", "%%2481", None);
        self.tick_ms(1, 200);
        self.key_event(host, 5059, &subj, key, "RSA", "%%2464", None);
    }

    /// What Windows does with a person's keys at sign-in: the Connected Devices Platform's
    /// device certificate is probed for and created the first time, then read (or written)
    /// and exported.
    fn cdp_at_sign_in(&mut self, s: &Session) {
        let Who::Account(a) = s.who else {
            return;
        };
        if ACCOUNTS[a].kind == Kind::Service || !matches!(s.logon_type, 2 | 10 | 11) {
            return;
        }
        let subj = self.subject_of(s);
        let key = KeyRef::Cdp(a);
        self.tick_ms(200, 3000);
        if self.cdp_made[a] {
            self.key_event(s.host, 5058, &subj, key, "UNKNOWN", "%%2458", None);
        } else {
            self.cdp_made[a] = true;
            self.key_event(
                s.host,
                5061,
                &subj,
                key,
                "RSA",
                "%%2480",
                Some("0x80090016"),
            );
            self.tick_ms(5, 800);
            self.key_event(s.host, 5061, &subj, key, "RSA", "%%2481", None);
            self.tick_ms(1, 100);
            self.key_event(s.host, 5058, &subj, key, "UNKNOWN", "%%2459", None);
        }
        self.tick_ms(1, 300);
        self.key_event(s.host, 5059, &subj, key, "RSA", "%%2464", None);
    }

    /// One step of routine key activity only.
    fn routine_step(&mut self) {
        let host = self.rng.below(HOSTS.len() as u64) as usize;
        match self.rng.weighted(&[30, 35, 25, 5, 5]) {
            0 => {
                // A person signs in; the session ends later.
                let acct = self.rng.below(ACCOUNTS.len() as u64) as usize;
                let a = &ACCOUNTS[acct];
                if a.kind == Kind::Service {
                    return;
                }
                let id = self.new_logon_id(a.home);
                let s = self.logon(a.home, Who::Account(acct), 2, a.home, id);
                self.cdp_at_sign_in(&s);
                self.tick_s(60, 900);
                self.logoff(&s);
            }
            1 => {
                // The computer account reads, then exports, one of its GUID-named keys.
                let subj = self.system_subject(host);
                let i = self.rng.below(self.system_keys[host].len() as u64) as usize;
                let key = KeyRef::System(host, i);
                self.key_event(host, 5058, &subj, key, "UNKNOWN", "%%2458", None);
                self.tick_ms(1, 200);
                self.key_event(host, 5059, &subj, key, "RSA", "%%2464", None);
            }
            2 => {
                // Remote Desktop reads its key set.
                let subj = self.system_subject(host);
                let key = self.host_key(host, "TSSecKeySet1");
                self.key_event(host, 5058, &subj, key, "UNKNOWN", "%%2458", None);
            }
            3 => self.rd_certificate(host),
            _ => {
                // A computer account logs on to the DC.
                let id = self.new_logon_id(DC01);
                let s = self.logon(DC01, Who::Machine(host), 3, host, id);
                self.tick_ms(5, 200);
                self.logoff(&s);
            }
        }
    }

    /// The planted incident, at the first step out of business hours: dadmin signs in to SQL01
    /// over Remote Desktop and exports the server's machine key; in a log of routine activity
    /// only, svc-backup also exports a user key of its own, which nothing makes routine.
    fn incident(&mut self) {
        self.incident_done = true;
        let id = self.new_logon_id(SQL01);
        let s = self.logon(SQL01, Who::Account(DADMIN), 10, ACCOUNTS[DADMIN].home, id);
        let subj = self.subject_of(&s);
        let web = self.host_keys[SQL01]
            .iter()
            .position(|k| k.name.starts_with("te-"))
            .unwrap_or(0);
        let key = KeyRef::Host(SQL01, web);
        let alg = self.key_alg(key);
        self.tick_s(20, 120);
        self.key_event(SQL01, 5058, &subj, key, "UNKNOWN", "%%2458", None);
        self.tick_ms(5, 300);
        self.key_event(SQL01, 5059, &subj, key, alg, "%%2464", None);
        if self.routine_only {
            self.tick_s(30, 300);
            self.logoff(&s);
            let id = self.new_logon_id(CA01);
            let b = self.logon(CA01, Who::Account(SVC_BACKUP), 5, CA01, id);
            let sb = self.subject_of(&b);
            let own = KeyRef::Acct(SVC_BACKUP, 0);
            let alg = self.key_alg(own);
            self.tick_s(1, 30);
            self.key_event(CA01, 5059, &sb, own, alg, "%%2464", None);
            self.tick_s(5, 60);
            self.logoff(&b);
        } else {
            self.sessions.push(s);
        }
    }

    fn system_activity(&mut self) {
        let host = self.rng.below(HOSTS.len() as u64) as usize;
        let subj = self.system_subject(host);
        let key = if self.rng.chance(1, 5) {
            KeyRef::System(
                host,
                self.rng.below(self.system_keys[host].len() as u64) as usize,
            )
        } else {
            let i = self.rng.below(self.host_keys[host].len() as u64) as usize;
            KeyRef::Host(host, i)
        };
        let alg = self.key_alg(key);
        let a = self.read_alg(alg);
        let code = if self.rng.chance(1, 60) {
            Some("0x8009000d")
        } else {
            None
        };
        if code.is_some() || self.rng.chance(3, 5) {
            self.key_event(host, 5058, &subj, key, a, "%%2458", code);
            if code.is_some() {
                return;
            }
        }
        match self.rng.below(10) {
            0..=4 => {
                self.tick_ms(1, 50);
                self.key_event(host, 5061, &subj, key, alg, "%%2480", None);
                if self.rng.chance(1, 2) {
                    self.tick_ms(1, 50);
                    let op = self.crypto_op(alg);
                    self.key_event(host, 5061, &subj, key, alg, op, None);
                }
            }
            5..=7 => {
                // The machine exports its own GUID-named user keys (routine on real machines);
                // certificate renewal and similar import a machine key.
                self.tick_ms(1, 200);
                let op = if matches!(key, KeyRef::System(..)) {
                    "%%2464"
                } else {
                    "%%2465"
                };
                self.key_event(host, 5059, &subj, key, alg, op, None);
            }
            8 if self.rng.chance(1, 6) => self.rd_certificate(host),
            _ => {}
        }
    }
}

/// A key by position in one of the simulation's tables.
#[derive(Clone, Copy)]
enum KeyRef {
    Host(usize, usize),
    Acct(usize, usize),
    System(usize, usize),
    /// The Connected Devices Platform's device certificate of an account.
    Cdp(usize),
    /// Remote Desktop's self-signed certificate key of a host.
    RdCert(usize),
}

impl Iterator for Sim {
    type Item = GenEvent;

    fn next(&mut self) -> Option<GenEvent> {
        if self.remaining == 0 {
            return None;
        }
        while self.pending.is_empty() {
            self.step();
        }
        let e = self.pending.pop_front()?;
        self.remaining -= 1;
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}
