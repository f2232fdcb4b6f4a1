//! Embedded demo SCIM server: gives a new user real data offline, and gives tests a real peer.
