//! What happens to each leaf of an invoice, decided from where it sits (the table in the
//! module's documentation, as code).

use crate::kind::Kind;

/// How a leaf's text is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Leaf {
    Keep,
    Replace(Kind),
    Scan,
    /// Replaced if the enclosing party turns out to be a private person.
    PartyPersonal(Kind),
    /// A party name: decides whether the party is private.
    PartyName,
    /// A document reference ID: replaced if it is a date and the reference names a person.
    DocRefId,
    /// An attention line or the name on a payment account: scanned, and its personal
    /// data replaced, when it names a person (not when it names a company). In a party's
    /// address it is otherwise treated as [`Leaf::PartyPersonal`] address data.
    NamesPerson {
        party_address: bool,
    },
}

pub(super) fn has(path: &[&str], name: &str) -> bool {
    path.contains(&name)
}

/// Decides what to do with a leaf from its ancestors' local names (root first).
pub(super) fn classify(path: &[&str], leaf: &str, cpr_scheme: bool) -> Leaf {
    if has(path, "UBLExtensions") {
        return Leaf::Keep;
    }
    if cpr_scheme {
        return Leaf::Replace(Kind::Cpr);
    }
    if has(path, "Person") {
        return Leaf::Replace(Kind::Person);
    }
    if has(path, "Contact") || has(path, "DefinedTradeContact") || has(path, "TradeContact") {
        return match leaf {
            "Name" | "PersonName" | "DepartmentName" => Leaf::Replace(Kind::Person),
            "Telephone" | "Telefax" | "CompleteNumber" => Leaf::Replace(Kind::Phone),
            "ElectronicMail" | "URIID" => Leaf::Replace(Kind::Email),
            "Value" => Leaf::Replace(Kind::Phone),
            "Note" | "ID" => Leaf::Scan,
            _ => Leaf::Keep,
        };
    }
    if has(path, "CardAccount") {
        return match leaf {
            "PrimaryAccountNumberID" => Leaf::Replace(Kind::Account),
            "HolderName" => Leaf::Replace(Kind::Person),
            _ => Leaf::Keep,
        };
    }
    if has(path, "PaymentMandate") {
        return match leaf {
            "ID" => Leaf::Replace(Kind::Account),
            "Name" => Leaf::Replace(Kind::Person),
            _ => Leaf::Keep,
        };
    }
    // The name on a payment account is the account holder's: a person's for a private
    // payee or payer ("Peter Petersen"), a company's otherwise.
    if leaf == "Name"
        && matches!(
            path.last(),
            Some(&"PayeeFinancialAccount" | &"PayerFinancialAccount")
        )
    {
        return Leaf::NamesPerson {
            party_address: false,
        };
    }
    let address_leaf = matches!(
        leaf,
        "StreetName"
            | "AdditionalStreetName"
            | "BuildingNumber"
            | "BuildingName"
            | "BlockName"
            | "Floor"
            | "Room"
            | "CityName"
            | "PostalZone"
            | "CitySubdivisionName"
            | "District"
            | "InhouseMail"
            | "MarkAttention"
            | "MarkCare"
            | "PlotIdentification"
            | "Line"
            | "Postbox"
            | "LineOne"
            | "LineTwo"
            | "LineThree"
            | "PostcodeCode"
    );
    let in_delivery = has(path, "Delivery") || has(path, "ShipToTradeParty");
    if in_delivery {
        if address_leaf {
            return Leaf::Replace(Kind::Address);
        }
        if (has(path, "DeliveryParty") && has(path, "PartyName") && leaf == "Name")
            || (has(path, "ShipToTradeParty") && leaf == "Name")
        {
            return Leaf::Replace(Kind::Person);
        }
        if leaf == "Description" || leaf == "Note" {
            return Leaf::Scan;
        }
    }
    let in_party = path.iter().any(|p| p.ends_with("Party"));
    let party_address = in_party
        && (has(path, "PostalAddress")
            || has(path, "PhysicalLocation")
            || has(path, "PostalTradeAddress")
            || has(path, "RegistrationAddress"));
    // "Att. Diane Birk": who the invoice is for, in a company's address too.
    if leaf == "MarkAttention" {
        return Leaf::NamesPerson { party_address };
    }
    if in_party {
        if (has(path, "PartyName") && leaf == "Name") || leaf == "RegistrationName" {
            return Leaf::PartyName;
        }
        if address_leaf && party_address {
            return Leaf::PartyPersonal(Kind::Address);
        }
    }
    if has(path, "AdditionalDocumentReference") && leaf == "ID" {
        return Leaf::DocRefId;
    }
    match leaf {
        "Note"
        | "BuyerReference"
        | "AccountingCost"
        | "Description"
        | "DocumentDescription"
        | "PaymentNote"
        | "InstructionNote"
        | "Content"
        | "Remarks" => Leaf::Scan,
        _ => Leaf::Keep,
    }
}
