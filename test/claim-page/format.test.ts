// The claim page's display helpers (claim-page/src/format.ts): how amounts, times and durations read.
import { expect } from "chai";
import fc from "fast-check";
import { formatUnits, parseUnits } from "ethers";
import {
  amountTitle,
  displayAmount,
  exactAmount,
  formatAmount,
  formatDuration,
  formatTime,
  FRACTION_DIGITS,
  groupDigits,
  money,
  shortAddress,
} from "../../claim-page/src/format.js";

const E18 = 10n ** 18n;
/** `units("1234.5")`: the amount in the smallest unit of an 18-decimal token. */
const units = (decimal: string, decimals = 18) => parseUnits(decimal, decimals);

describe("claim page: amounts", function () {
  describe("groupDigits", function () {
    it("separates thousands with commas and leaves the fraction alone", function () {
      expect(groupDigits("0")).to.equal("0");
      expect(groupDigits("999")).to.equal("999");
      expect(groupDigits("1000")).to.equal("1,000");
      expect(groupDigits("1234567.5")).to.equal("1,234,567.5");
      expect(groupDigits("1234.000001")).to.equal("1,234.000001");
      expect(groupDigits("-1234567")).to.equal("-1,234,567");
    });

    it("drops a zero fraction", function () {
      expect(groupDigits("1234.0")).to.equal("1,234");
      expect(groupDigits("5.000")).to.equal("5");
    });
  });

  describe("displayAmount", function () {
    it("shows at most 4 fractional digits, without trailing zeros", function () {
      expect(FRACTION_DIGITS).to.equal(4);
      expect(displayAmount(units("1234.56789"), 18)).to.equal("1,234.5678");
      expect(displayAmount(units("12.5"), 18)).to.equal("12.5");
      expect(displayAmount(units("12.50001"), 18)).to.equal("12.5");
      expect(displayAmount(units("3"), 18)).to.equal("3");
      expect(displayAmount(units("0.1002"), 18)).to.equal("0.1002");
      expect(displayAmount(units("1000000"), 18)).to.equal("1,000,000");
    });

    it("rounds toward zero: never shows more than the exact amount", function () {
      expect(displayAmount(units("0.99999"), 18)).to.equal("0.9999");
      expect(displayAmount(E18 * 2n - 1n, 18)).to.equal("1.9999");
      expect(displayAmount(units("798.950000000000000123"), 18)).to.equal("798.95");
    });

    it("shows zero as 0 and a tiny non-zero amount as < 0.0001", function () {
      expect(displayAmount(0n, 18)).to.equal("0");
      expect(displayAmount(1n, 18)).to.equal("< 0.0001");
      expect(displayAmount(units("0.000099999"), 18)).to.equal("< 0.0001");
      expect(displayAmount(units("0.0001"), 18)).to.equal("0.0001");
    });

    it("works for tokens with few or no decimals", function () {
      expect(displayAmount(123456n, 0)).to.equal("123,456");
      expect(displayAmount(123456n, 2)).to.equal("1,234.56");
      expect(displayAmount(1n, 6)).to.equal("< 0.0001");
      expect(displayAmount(1_234_567n, 6)).to.equal("1.2345");
    });

    it("takes another number of fractional digits", function () {
      expect(displayAmount(units("1.23456"), 18, 2)).to.equal("1.23");
      expect(displayAmount(units("0.001"), 18, 2)).to.equal("< 0.01");
      expect(displayAmount(units("0.5"), 18, 0)).to.equal("< 1");
      expect(displayAmount(units("1234.5"), 18, 0)).to.equal("1,234");
    });

    it("keeps the sign of a negative amount", function () {
      expect(displayAmount(-units("1234.56789"), 18)).to.equal("-1,234.5678");
      expect(displayAmount(-1n, 18)).to.equal("> -0.0001");
    });

    it("handles amounts far beyond floating point", function () {
      const max = 2n ** 256n - 1n;
      expect(displayAmount(max, 18)).to.equal(
        "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584",
      );
    });

    it("refuses decimals or digits that are not whole numbers ≥ 0", function () {
      expect(() => displayAmount(1n, -1)).to.throw(RangeError);
      expect(() => displayAmount(1n, 1.5)).to.throw(RangeError);
      expect(() => displayAmount(1n, 18, -1)).to.throw(RangeError);
    });

    it("is the exact amount rounded toward zero to 4 digits, grouped (any amount, any decimals)", function () {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
          fc.integer({ min: 0, max: 36 }),
          (amount, decimals) => {
            const shown = displayAmount(amount, decimals);
            if (shown === "< 0.0001") {
              expect(amount > 0n && amount * 10n ** 4n < 10n ** BigInt(decimals)).to.equal(true);
              return;
            }
            const plain = shown.replace(/,/g, "");
            expect(plain).to.match(/^\d+(\.\d{0,3}[1-9])?$/);
            // Shown ≤ exact < shown + 0.0001.
            const step = decimals > 4 ? 10n ** BigInt(decimals - 4) : 1n;
            const shownUnits = parseUnits(plain, decimals);
            expect(shownUnits <= amount && amount < shownUnits + step).to.equal(true);
            expect(groupDigits(plain)).to.equal(shown);
          },
        ),
      );
    });
  });

  describe("exactAmount", function () {
    it("is the plain decimal with every significant digit, no separators", function () {
      expect(exactAmount(units("1234.567890123456789012", 21), 21)).to.equal("1234.567890123456789012");
      expect(exactAmount(units("1234.5"), 18)).to.equal("1234.5");
      expect(exactAmount(units("1000000"), 18)).to.equal("1000000");
      expect(exactAmount(1n, 18)).to.equal("0.000000000000000001");
      expect(exactAmount(0n, 18)).to.equal("0");
      expect(exactAmount(42n, 0)).to.equal("42");
      expect(exactAmount(-5n, 1)).to.equal("-0.5");
    });

    it("gives back the amount when parsed, and agrees with ethers' formatUnits", function () {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
          fc.integer({ min: 0, max: 77 }),
          (amount, decimals) => {
            const exact = exactAmount(amount, decimals);
            expect(parseUnits(exact, decimals)).to.equal(amount);
            expect(exact).to.equal(formatUnits(amount, decimals).replace(/\.0$/, ""));
          },
        ),
      );
    });
  });

  describe("formatAmount, amountTitle, money", function () {
    it("adds the token's symbol", function () {
      expect(formatAmount(units("1234.56789"), 18, "SMT")).to.equal("1,234.5678 SMT");
      expect(formatAmount(0n, 18, "SMT")).to.equal("0 SMT");
      expect(formatAmount(1n, 18, "SMT")).to.equal("< 0.0001 SMT");
    });

    it("puts the exact value and the smallest units in the title", function () {
      const amount = 1234567890123456789012n;
      expect(amountTitle(amount, 18, "SMT")).to.equal(
        "Exact: 1234.567890123456789012 SMT\nSmallest units: 1234567890123456789012 (18 decimals)",
      );
      expect(amountTitle(1n, 18, "SMT")).to.equal("Exact: 0.000000000000000001 SMT\nSmallest units: 1 (18 decimals)");
    });

    it("money() gathers the text, the exact value, the units and the title", function () {
      const amount = 1234567890123456789012n;
      expect(money(amount, 18, "SMT")).to.deep.equal({
        text: "1,234.5678 SMT",
        exact: "1234.567890123456789012",
        units: "1234567890123456789012",
        title: amountTitle(amount, 18, "SMT"),
      });
    });
  });
});

describe("claim page: times and addresses", function () {
  it("formatTime writes UTC to the minute", function () {
    expect(formatTime(Date.UTC(2030, 0, 2, 1, 0, 30) / 1000)).to.equal("2030-01-02 01:00 UTC");
  });

  it("formatDuration is coarse and never negative", function () {
    expect(formatDuration(42)).to.equal("42 s");
    expect(formatDuration(60)).to.equal("1 min");
    expect(formatDuration(3600)).to.equal("1 h");
    expect(formatDuration(3900)).to.equal("1 h 5 min");
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 59)).to.equal("2 d 3 h");
    expect(formatDuration(86_400)).to.equal("1 d");
    expect(formatDuration(-5)).to.equal("0 s");
  });

  it("shortAddress keeps the first 4 and last 4 hex digits", function () {
    expect(shortAddress("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65")).to.equal("0x15d3…6A65");
  });
});
