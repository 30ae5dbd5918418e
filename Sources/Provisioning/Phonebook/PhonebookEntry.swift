import Foundation

/// One name and number in the company phonebook.
public struct PhonebookEntry: Hashable, Sendable, Comparable {
    public var name: String
    public var number: String

    public init(name: String, number: String) {
        self.name = name
        self.number = number
    }

    public static func < (lhs: PhonebookEntry, rhs: PhonebookEntry) -> Bool {
        (lhs.name.lowercased(), lhs.number) < (rhs.name.lowercased(), rhs.number)
    }
}

/// Writes the phonebook in each vendor's remote-directory format (PROTOCOLS.md §6).
public enum PhonebookFormat {
    /// The URL path of a vendor's phonebook (`/phonebook/yealink.xml`).
    public static func path(for vendor: Vendor) -> String { "/phonebook/\(vendor.rawValue).xml" }

    /// - Parameter entries: Sorted, deduplicated entries.
    public static func render(_ vendor: Vendor, entries: [PhonebookEntry]) -> String {
        let e = XMLEscaping.escape
        switch vendor {
        case .yealink:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<YealinkIPPhoneDirectory>\n"
                + entries.map { " <DirectoryEntry>\n  <Name>\(e($0.name))</Name>\n  <Telephone>\(e($0.number))</Telephone>\n </DirectoryEntry>\n" }
                .joined()
                + "</YealinkIPPhoneDirectory>\n"
        case .grandstream:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AddressBook>\n<version>1</version>\n"
                + entries.map {
                    "<Contact>\n <FirstName>\(e($0.name))</FirstName>\n <LastName></LastName>\n <Phone type=\"Work\">\n  <phonenumber>\(e($0.number))</phonenumber>\n  <accountindex>0</accountindex>\n </Phone>\n <Group>0</Group>\n <PhotoUrl></PhotoUrl>\n</Contact>\n"
                }.joined()
                + "</AddressBook>\n"
        case .fanvil:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<PhoneBook>\n"
                + entries.map {
                    "<DirectoryEntry>\n    <Name>\(e($0.name))</Name>\n    <Telephone>\(e($0.number))</Telephone>\n    <Mobile></Mobile>\n    <Other></Other>\n    <Ring>Default</Ring>\n    <Group></Group>\n</DirectoryEntry>\n"
                }.joined()
                + "</PhoneBook>\n"
        case .htek:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<PhoneDirectory>\n"
                + entries.map { " <DirectoryEntry>\n  <Name>\(e($0.name))</Name>\n  <Telephone>\(e($0.number))</Telephone>\n </DirectoryEntry>\n" }
                .joined()
                + "</PhoneDirectory>\n"
        case .snom:
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<SnomIPPhoneMenu>\n <Title>Directory</Title>\n"
                + entries.map {
                    " <MenuItem name=\"\(e($0.name))\">\n  <Url>snom://mb_nop#numberdial=\(e($0.number.addingSnomEscapes))</Url>\n  <ExtraText>\(e($0.number))</ExtraText>\n </MenuItem>\n"
                }.joined()
                + "</SnomIPPhoneMenu>\n"
        }
    }

    /// Reads the Yealink format back (another instance's `/phonebook/yealink.xml`), tolerantly.
    public static func parseYealink(_ text: String) -> [PhonebookEntry]? {
        guard text.contains("<YealinkIPPhoneDirectory") else { return nil }
        var entries: [PhonebookEntry] = []
        for chunk in text.components(separatedBy: "<DirectoryEntry>").dropFirst() {
            guard let name = Self.element("Name", in: chunk), let number = Self.element("Telephone", in: chunk), !number.isEmpty else { continue }
            entries.append(PhonebookEntry(name: name, number: number))
        }
        return entries
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return XMLEscaping.unescape(String(text[open.upperBound..<close.lowerBound]))
    }
}

extension String {
    /// A number as a URL part: only digits, `*`, `#` and `+` are kept.
    fileprivate var addingSnomEscapes: String { filter { $0.isNumber || "*#+".contains($0) } }
}
