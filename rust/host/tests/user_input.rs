// SPDX-License-Identifier: GPL-2.0

//! Device names, flush requests and interface lists.

use raoe_logic::user_input::*;

#[test]
fn device_names() {
    assert_eq!(parse_device_name(b"e1.10"), Some((1, 10)));
    assert_eq!(parse_device_name(b"e1.10\n"), Some((1, 10)));
    assert_eq!(parse_device_name(b"e1.10\0"), Some((1, 10)));
    assert_eq!(parse_device_name(b"e1.10 \t\r\n\0\0"), Some((1, 10)));
    assert_eq!(parse_device_name(b"e0.0"), Some((0, 0)));
    assert_eq!(parse_device_name(b"e65535.255"), Some((65535, 255)));
    // e1.1 is slot 1, never slot 10, and the reverse.
    assert_eq!(parse_device_name(b"e1.1"), Some((1, 1)));
    assert_ne!(parse_device_name(b"e1.1"), parse_device_name(b"e1.10"));
}

#[test]
fn junk_is_not_a_device_name() {
    for junk in [
        &b""[..],
        b"\n",
        b"e",
        b"e1",
        b"e1.",
        b"e.1",
        b"1.1",
        b"E1.1",
        b" e1.1",
        b"e1.1x",
        b"e1.1.1",
        b"e1..1",
        b"e01.1",
        b"e1.01",
        b"e+1.1",
        b"e-1.1",
        b"e1.256",
        b"e65536.1",
        b"e99999999999999999999.1",
        b"e1.1\0junk",
        b"e1 .1",
        b"e1,1",
        b"e\xff.1",
    ] {
        assert_eq!(
            parse_device_name(junk),
            None,
            "{:?}",
            String::from_utf8_lossy(junk)
        );
    }
}

#[test]
fn flush_requests() {
    assert!(matches!(parse_flush(b""), Some(FlushRequest::Down)));
    assert!(matches!(parse_flush(b"\n"), Some(FlushRequest::Down)));
    assert!(matches!(parse_flush(b"ab"), Some(FlushRequest::Down)));
    assert!(matches!(parse_flush(b"   \n"), Some(FlushRequest::Down)));
    assert!(matches!(parse_flush(b"all"), Some(FlushRequest::All)));
    assert!(matches!(parse_flush(b"all\n"), Some(FlushRequest::All)));
    assert!(matches!(parse_flush(b"all\0"), Some(FlushRequest::All)));
    // aoe.ko takes anything starting with "all"; here it is junk.
    assert!(parse_flush(b"allx").is_none());
    assert!(parse_flush(b"all e1.1").is_none());
    assert!(parse_flush(b"e1.1 junk").is_none());
    assert!(parse_flush(b"e1.1x").is_none());
    let Some(FlushRequest::Devices(devices)) = parse_flush(b"e1.1") else {
        panic!()
    };
    assert_eq!(devices.collect::<Vec<_>>(), vec![(1, 1)]);
    let Some(FlushRequest::Devices(devices)) = parse_flush(b"e1.10\n") else {
        panic!()
    };
    assert_eq!(devices.collect::<Vec<_>>(), vec![(1, 10)]);
    let Some(FlushRequest::Devices(devices)) = parse_flush(b"e1.1, e2.3\te4.5\n") else {
        panic!()
    };
    assert_eq!(devices.collect::<Vec<_>>(), vec![(1, 1), (2, 3), (4, 5)]);
}

#[test]
fn interface_lists() {
    let list = InterfaceList::parse(b"eth0 eth1,\teth2\n").unwrap();
    assert_eq!(
        list.names().collect::<Vec<_>>(),
        vec![&b"eth0"[..], b"eth1", b"eth2"]
    );
    assert!(list.allows(b"eth1"));
    assert!(list.allows(b"eth1\0\0\0"));
    assert!(!list.allows(b"eth"));
    assert!(!list.allows(b"eth10"));
    assert!(!list.allows(b"lo"));
    // Empty lists, or only separators, allow everything.
    for empty in [&b""[..], b"\n", b" , ", b"\0eth0"] {
        let list = InterfaceList::parse(empty).unwrap();
        assert_eq!(list.names().count(), 0);
        assert!(list.allows(b"anything"));
    }
    // aoe-interfaces writes a trailing NUL; what follows it is ignored, as C strings do.
    let list = InterfaceList::parse(b"eth0\0eth1").unwrap();
    assert!(list.allows(b"eth0"));
    assert!(!list.allows(b"eth1"));
}

#[test]
fn interface_list_limits() {
    let longest = [b'x'; 15];
    assert!(InterfaceList::parse(&longest).is_ok());
    assert_eq!(
        InterfaceList::parse(&[b'x'; 16]).err(),
        Some(InterfaceListError::NameTooLong)
    );
    assert_eq!(
        InterfaceList::parse(b"eth0 abcdefghijklmnop").err(),
        Some(InterfaceListError::NameTooLong)
    );
    let mut long = Vec::new();
    while long.len() < 1023 {
        long.extend_from_slice(b"e ");
    }
    long.truncate(1023);
    assert_eq!(InterfaceList::parse(&long).unwrap().names().count(), 512);
    long.push(b' ');
    assert_eq!(
        InterfaceList::parse(&long).err(),
        Some(InterfaceListError::TooLong)
    );
}

#[test]
fn name_lists_are_unique_and_cut_to_fit() {
    let mut buf = [0u8; 16];
    let mut list = NameList::new(&mut buf);
    list.add(b"veth0");
    list.add(b"veth2");
    list.add(b"veth0");
    list.add(b"toolong");
    list.add(b"eth1");
    assert_eq!(until_nul(&buf), b"veth0,veth2,eth1");
    let mut small = [0u8; 4];
    NameList::new(&mut small).add(b"veth0");
    assert_eq!(until_nul(&small), b"");
}
