/// A JSON document as a value: what the scenario reader parses and what the report writer serializes.
///
/// Objects keep their keys in stored order (the order of the file, or of construction), so that output
/// is deterministic and error messages can follow the file. The parser never produces two members with
/// the same key; code that builds objects SHOULD NOT either (the serializer writes what it is given).
///
/// Numbers are Doubles, with one exception: an integer literal that a Double cannot hold exactly
/// (beyond ±2^53, such as a 64-bit seed) is kept as written in ``bigInteger(_:)``. Use ``doubleValue``,
/// ``int64Value`` or ``uint64Value`` to read a number of either form.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Any JSON number that a Double holds exactly enough; integers up to ±2^53 are exact.
    case number(Double)
    /// An integer beyond ±2^53 in canonical decimal form (optional `-`, digits, no leading zeros), kept
    /// exactly because a Double would round it. The parser and the integer initialiser make it.
    case bigInteger(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b || (a.isNaN && b.isNaN)
        case (.bigInteger(let a), .bigInteger(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

// MARK: - Building values

extension JSONValue {
    /// The largest magnitude up to which every integer is exactly a Double.
    static let exactIntegerLimit: Double = 9_007_199_254_740_992  // 2^53

    public init(_ value: Bool) { self = .bool(value) }
    public init(_ value: Double) { self = .number(value) }
    public init(_ value: String) { self = .string(value) }
    public init(_ values: [JSONValue]) { self = .array(values) }

    /// An exact integer: ``number(_:)`` when a Double holds it exactly, else ``bigInteger(_:)``.
    public init<Integer: BinaryInteger>(_ value: Integer) {
        if value.magnitude <= 9_007_199_254_740_992 {
            self = .number(Double(value))
        } else {
            self = .bigInteger(String(value))
        }
    }

    /// An object from ordered pairs; keys SHOULD be unique.
    public init(object pairs: [(String, JSONValue)]) {
        self = .object(pairs.map { (key: $0.0, value: $0.1) })
    }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keeps the literal's order: `["b": 1, "a": 2]` serializes with `b` first.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

// MARK: - Reading values

extension JSONValue {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Any number as a Double (a ``bigInteger(_:)`` rounded to the nearest Double).
    public var doubleValue: Double? {
        switch self {
        case .number(let value): value
        case .bigInteger(let literal): Double(literal)
        default: nil
        }
    }

    /// The number when it is a whole number that fits an Int64 exactly.
    public var int64Value: Int64? {
        switch self {
        case .number(let value):
            guard value == value.rounded(), value.magnitude <= Self.exactIntegerLimit else { return nil }
            return Int64(value)
        case .bigInteger(let literal): return Int64(literal)
        default: return nil
        }
    }

    /// The number when it is a whole number in `0...UInt64.max`, exactly.
    public var uint64Value: UInt64? {
        switch self {
        case .number(let value):
            guard value == value.rounded(), value >= 0, value <= Self.exactIntegerLimit else { return nil }
            return UInt64(value)
        case .bigInteger(let literal): return UInt64(literal)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The member named `key` of an object (nil for a missing key or a non-object).
    ///
    /// Setting a member replaces it in place or appends it; setting nil removes it. Setting on a
    /// non-object first turns the value into an empty object. Lookups are linear in the member count.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }
        set {
            var members = objectValue ?? []
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
            self = .object(members)
        }
    }

    /// The element at `index` of an array (nil when out of range or not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let values) = self, values.indices.contains(index) else { return nil }
        return values[index]
    }
}
