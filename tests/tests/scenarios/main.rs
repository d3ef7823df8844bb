//! Skjold's scenarios: each user story and each wall of the design, end to end through
//! the application and over HTTP, on SQLite and on PostgreSQL. One test binary, one
//! module per feature.

#[macro_use]
mod common;

mod admin_edits;
mod api_doc;
mod at_rest;
mod audit;
mod citizen_view;
mod data_requests;
mod desk;
mod desk_web;
mod erasure;
mod error_pages;
mod inputs;
mod intake;
mod invoices;
mod matrix;
mod messages;
mod oidc;
mod order_content;
mod order_lists;
mod pages;
mod paging;
mod platform;
mod processors;
mod processors_web;
mod rights;
mod sign_in;
mod spec_verifier;
mod walls;
mod web;
