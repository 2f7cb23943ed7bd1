//! Hostile inputs too large to commit as fixtures, built at test time.
//!
//! Each document is a wevtutil-style export: a good 5059 event, the hostile event, and another
//! good 5059 event. A decoder must keep both good events and report the hostile one.

/// A good 5059 event (wevtutil spelling) with the given record ID.
pub fn good_event(record_id: u64) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{{54849625-5478-4994-A5BA-3E3B0328C30D}}'/>\
<EventID>5059</EventID><Version>0</Version><Level>0</Level><Task>12292</Task><Opcode>0</Opcode>\
<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2026-03-02T08:00:{:02}.0000000Z'/>\
<EventRecordID>{}</EventRecordID><Correlation/><Execution ProcessID='712' ThreadID='4416'/>\
<Channel>Security</Channel><Computer>CA01.contoso.local</Computer><Security/></System><EventData>\
<Data Name='SubjectUserSid'>S-1-5-21-3457937927-2839227994-823803824-1121</Data>\
<Data Name='SubjectUserName'>svc-backup</Data><Data Name='SubjectDomainName'>CONTOSO</Data>\
<Data Name='SubjectLogonId'>0x5a1f3c</Data>\
<Data Name='ProviderName'>Microsoft Software Key Storage Provider</Data>\
<Data Name='AlgorithmName'>RSA</Data><Data Name='KeyName'>CONTOSO-CA01-CA</Data>\
<Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>\
<Data Name='ReturnCode'>0x0</Data></EventData></Event>\r\n",
        record_id % 60,
        record_id
    )
}

/// The System block of the hostile events (record ID 228114, event 1102 shape kept simple).
fn hostile_system(record_id: u64) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Microsoft-Windows-Eventlog' Guid='{{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}}'/>\
<EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode>\
<Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime='2026-03-02T08:00:30.0000000Z'/>\
<EventRecordID>{}</EventRecordID><Correlation/><Execution ProcessID='1204' ThreadID='5528'/>\
<Channel>Security</Channel><Computer>CA01.contoso.local</Computer><Security/></System>",
        record_id
    )
}

/// Good event, an event whose `UserData` holds `levels` nested `<a>` elements, good event.
/// The committed fixture `hostile-deep-nesting.xml` is `deep_nesting(2000)`; tests also build
/// `deep_nesting(100_000)` (about 700 KB).
pub fn deep_nesting(levels: usize) -> String {
    let mut s = String::with_capacity(levels * 7 + 4096);
    s.push_str(&good_event(228_113));
    s.push_str(&hostile_system(228_114));
    s.push_str("<UserData>");
    for _ in 0..levels {
        s.push_str("<a>");
    }
    s.push('x');
    for _ in 0..levels {
        s.push_str("</a>");
    }
    s.push_str("</UserData></Event>\r\n");
    s.push_str(&good_event(228_115));
    s
}

/// A distinct short XML name for each index: `a` … `Z`, `_`, then two and three characters.
fn short_name(mut i: usize, out: &mut String) {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.-";
    out.push(char::from(FIRST[i % FIRST.len()]));
    i /= FIRST.len();
    while i > 0 {
        i -= 1;
        out.push(char::from(REST[i % REST.len()]));
        i /= REST.len();
    }
}

/// Good event, an event whose `UserData/LogFileCleared` element has `count` attributes with
/// distinct short names and empty values (`a='' b='' …`), good event. The fixture
/// `hostile-many-attributes.xml` is `many_attributes(10_000)`.
pub fn many_attributes(count: usize) -> String {
    let mut s = String::with_capacity(count * 7 + 4096);
    s.push_str(&good_event(228_113));
    s.push_str(&hostile_system(228_114));
    s.push_str("<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'");
    for i in 0..count {
        s.push(' ');
        short_name(i, &mut s);
        s.push_str("=''");
    }
    s.push_str(
        "><SubjectUserName>dadmin</SubjectUserName></LogFileCleared></UserData></Event>\r\n",
    );
    s.push_str(&good_event(228_115));
    s
}
