// The reader refuses, or reads with a notice, every input it cannot take at face
// value: other text encodings, binary files, NUL bytes, a mix of encodings,
// quotes inside unquoted cells, a missing header. Messages are checked word for
// word: they are what the marketer reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/table.hpp"

#include "test_support.hpp"

namespace fc::csv {
namespace {

using fc::testing::widen;

Table read_checked(const std::string& text, Options options = {}) {
  options.source = "data.csv";
  return read(text, options);
}

std::string checked_error(const std::string& text, Options options = {}) {
  options.source = "data.csv";
  try {
    read(text, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string checked_level(const Column& column, size_t row) {
  return column.levels.at(static_cast<size_t>(column.codes.at(row)));
}

// A string literal with its embedded NUL bytes, all of it.
template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

const std::string kSample = "timestamp,leads\n2024-01-01 00:00,5\n";

// ---- Other text encodings --------------------------------------------------

TEST(CsvEncoding, Utf16AndUtf32ByteOrderMarksNameTheEncoding) {
  EXPECT_EQ(checked_error("\xFF\xFE" + widen(kSample, 2, true)),
            "data.csv: the file is UTF-16 (little-endian) text; save it as UTF-8 CSV");
  EXPECT_EQ(checked_error("\xFE\xFF" + widen(kSample, 2, false)),
            "data.csv: the file is UTF-16 (big-endian) text; save it as UTF-8 CSV");
  EXPECT_EQ(checked_error(bytes("\xFF\xFE\0\0") + widen(kSample, 4, true)),
            "data.csv: the file is UTF-32 (little-endian) text; save it as UTF-8 CSV");
  EXPECT_EQ(checked_error(bytes("\0\0\xFE\xFF") + widen(kSample, 4, false)),
            "data.csv: the file is UTF-32 (big-endian) text; save it as UTF-8 CSV");
  // A BOM alone is already enough to tell.
  EXPECT_EQ(checked_error("\xFF\xFE"),
            "data.csv: the file is UTF-16 (little-endian) text; save it as UTF-8 CSV");
}

TEST(CsvEncoding, Utf16WithoutBomIsRecognizedFromItsNulPattern) {
  EXPECT_EQ(checked_error(widen(kSample, 2, true)),
            "data.csv: the file is UTF-16 (little-endian) text without a byte order mark; save "
            "it as UTF-8 CSV");
  EXPECT_EQ(checked_error(widen(kSample, 2, false)),
            "data.csv: the file is UTF-16 (big-endian) text without a byte order mark; save it "
            "as UTF-8 CSV");
  EXPECT_EQ(checked_error(widen(kSample, 4, true)),
            "data.csv: the file is UTF-32 (little-endian) text without a byte order mark; save "
            "it as UTF-8 CSV");
  EXPECT_EQ(checked_error(widen(kSample, 4, false)),
            "data.csv: the file is UTF-32 (big-endian) text without a byte order mark; save it "
            "as UTF-8 CSV");
  // After a UTF-8 BOM too (some tools write one, then the wrong encoding).
  EXPECT_EQ(checked_error("\xEF\xBB\xBF" + widen(kSample, 2, true)),
            "data.csv: the file is UTF-16 (little-endian) text without a byte order mark; save "
            "it as UTF-8 CSV");
}

TEST(CsvEncoding, NeverLooksPastTheEndOfTheInput) {
  // The encoding scan reads 32 and 8 bytes at a time. Each input is a view into
  // a buffer that goes on with a NUL, or a byte that is not UTF-8: seeing either
  // would refuse the file or read it as Windows-1252. Every length up to 100
  // puts the end at each offset of a word.
  for (const std::string& tail : {std::string(1, '\0'), std::string("\xFF")}) {
    for (size_t k = 0; k <= 100; ++k) {
      for (const std::string& text :
           {"n\n" + std::string(k + 1, '7'), "c\n" + std::string(k, 'x') + "\xC3\xA9"}) {
        const std::string buffer = text + tail;
        Options options;
        options.source = "data.csv";
        const Table t = read(std::string_view(buffer.data(), text.size()), options);
        EXPECT_TRUE(t.notices.empty()) << k;
        EXPECT_EQ(t.rows, 1u) << k;
      }
    }
  }
}

// ---- NUL bytes -------------------------------------------------------------

TEST(CsvNul, StrayNulByteNamesLineColumnAndEscapesIt) {
  EXPECT_EQ(checked_error(bytes("timestamp,leads\n2024-01-01,5\n2024-01-02,4\0"
                           "7\n")),
            "data.csv: line 3, column 'leads': a NUL byte (binary data?) in '4\\x007'");
}

TEST(CsvNul, NulInTheHeaderNamesTheColumnNumber) {
  EXPECT_EQ(checked_error(bytes("time\0stamp,leads\n2024-01-01,5\n")),
            "data.csv: line 1, column 1: a NUL byte (binary data?) in 'time\\x00stamp'");
}

TEST(CsvNul, NulInsideAMultiLineQuotedCellNamesItsOwnLine) {
  // The record starts on line 2; the NUL sits on line 3.
  EXPECT_EQ(checked_error(bytes("a,note\n1,\"x\ny\0\"\n")),
            "data.csv: line 3, column 'note': a NUL byte (binary data?) in 'x\\x0Ay\\x00'");
}

TEST(CsvNul, NulAfterAnUnterminatedQuoteStillNamesTheLine) {
  // The records before the NUL do not tokenize, so only the line can be named.
  EXPECT_EQ(checked_error(bytes("a,b\n1,\"x\n\n\0")), "data.csv: line 4: a NUL byte (binary data?)");
}

TEST(CsvNul, NulAfterCrLfAndLoneCrCountsLinesLikeTheTokenizer) {
  EXPECT_EQ(checked_error(bytes("a,b\r\n1,2\r3,x\0\r\n")),
            "data.csv: line 3, column 'b': a NUL byte (binary data?) in 'x\\x00'");
}

// ---- Binary files ----------------------------------------------------------

TEST(CsvBinary, FunnelcastModelFileIsNamed) {
  EXPECT_EQ(checked_error(bytes("FCMODEL1\x01\0\0\0\x20\0\0\0{\"kind\":\"forecast\"}")),
            "data.csv: this is a funnelcast model file (.fcm), not a CSV; pass it as the model");
}

TEST(CsvBinary, ExcelWorkbookSaysExportAsCsv) {
  std::string xlsx = bytes("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0");
  xlsx += std::string(14, '\x01') + "[Content_Types].xml" + std::string(40, '\x9C') + "PK\x03\x04" +
          std::string(26, '\0') + "xl/workbook.xml";
  EXPECT_EQ(checked_error(xlsx),
            "data.csv: this looks like a binary file (Excel workbook, .xlsx), not CSV text; "
            "export it as CSV (in Excel: Save As, CSV UTF-8)");
  EXPECT_EQ(checked_error(bytes("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") + std::string(100, '\0')),
            "data.csv: this looks like a binary file (Excel 97-2003 workbook, .xls, or other "
            "Office file), not CSV text; export it as CSV");
}

TEST(CsvBinary, KnownMagicsNameTheirKind) {
  EXPECT_EQ(checked_error(bytes("PK\x03\x04\x14\0\0\0") + "data.csv"),
            "data.csv: this looks like a binary file (zip archive), not CSV text; extract it "
            "first (a spreadsheet: export it as CSV)");
  EXPECT_EQ(checked_error("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"),
            "data.csv: this looks like a binary file (PDF document), not CSV text");
  EXPECT_EQ(checked_error(bytes("\x1F\x8B\x08\0\0\0\0\0\0\x03")),
            "data.csv: this looks like a binary file (gzip-compressed data), not CSV text; "
            "decompress it first");
  EXPECT_EQ(checked_error(bytes("\x89PNG\r\n\x1A\n\0\0\0\rIHDR")),
            "data.csv: this looks like a binary file (PNG image), not CSV text");
  EXPECT_EQ(checked_error("BZh91AY&SY" + std::string(20, '\x7F')),
            "data.csv: this looks like a binary file (bzip2-compressed data), not CSV text; "
            "decompress it first");
}

TEST(CsvBinary, ControlByteNoiseIsBinary) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  // 28 of these 256 bytes are control characters other than tab, line breaks, form
  // feed and vertical tab: more than a tenth.
  EXPECT_EQ(checked_error(every_byte),
            "data.csv: this looks like a binary file (unknown format), not CSV text");
  EXPECT_EQ(checked_error(std::string(4096, '\0')),
            "data.csv: this looks like a binary file (only NUL bytes), not CSV text");
}

TEST(CsvBinary, AFewControlBytesInTextAreNotBinary) {
  // FileMaker writes a vertical tab for a line break inside a cell; old DOS
  // tools end a file with Ctrl-Z (0x1A), which is dropped.
  const Table t = read_checked("note,n\nline one\vline two\vthree\v\vfour,1\n\x1A");
  EXPECT_EQ(checked_level(t.columns[0], 0), "line one\vline two\vthree\v\vfour");
  EXPECT_EQ(t.rows, 1u);
}

TEST(CsvBinary, TextThatOnlyStartsLikeAMagicIsNotRefused) {
  // "BZh" without the bzip2 block magic, "PAR1" without the Parquet footer, and
  // "GIF" without the version are ordinary header names.
  EXPECT_EQ(read_checked("BZh,n\nx,1\n").columns[0].name, "BZh");
  EXPECT_EQ(read_checked("PAR1,n\nx,1\n").columns[0].name, "PAR1");
  EXPECT_EQ(read_checked("GIF,n\nx,1\n").columns[0].name, "GIF");
}

// ---- UTF-8 and Windows-1252 ------------------------------------------------

TEST(CsvWindows1252, Latin1FileBecomesTheSameLevelsAsUtf8WithANotice) {
  const Table latin1 = read_checked("channel,leads\nR\xE9seaux,1\nEmail,2\n");
  const Table utf8 = read_checked("channel,leads\nR\xC3\xA9seaux,1\nEmail,2\n");
  EXPECT_EQ(latin1.columns[0].levels, (std::vector<std::string>{"R\xC3\xA9seaux", "Email"}));
  EXPECT_EQ(latin1.columns[0].levels, utf8.columns[0].levels);
  EXPECT_EQ(latin1.notices, (std::vector<std::string>{
                                "data.csv: read as Windows-1252 (Latin-1): the file is not "
                                "UTF-8 (first at line 2, column 'channel': 'R\xC3\xA9seaux')"}));
  EXPECT_TRUE(utf8.notices.empty());
}

TEST(CsvWindows1252, HeaderNamesAreConverted) {
  const Table t = read_checked("r\xE9gion,\x80 spent\nNord,1\n");
  EXPECT_EQ(t.columns[0].name, "r\xC3\xA9gion");
  EXPECT_EQ(t.columns[1].name, "\xE2\x82\xAC spent");
  EXPECT_EQ(t.find("r\xC3\xA9gion"), 0);
  ASSERT_EQ(t.notices.size(), 1u);
  EXPECT_EQ(t.notices[0],
            "data.csv: read as Windows-1252 (Latin-1): the file is not UTF-8 (first at line 1, "
            "column 1: 'r\xC3\xA9gion')");
}

TEST(CsvWindows1252, TheRange80To9FIsWindows1252NotLatin1) {
  // 0x80 euro, 0x93/0x94 curly quotes, 0x96 en dash, 0x81 unassigned (U+0081), 0xFF y-diaeresis.
  const Table t = read_checked(
      "note\n\x80\n\x93ok\x94\n1\x96"
      "2\n\x81\n\xFF\n");
  EXPECT_EQ(t.columns[0].levels,
            (std::vector<std::string>{"\xE2\x82\xAC", "\xE2\x80\x9Cok\xE2\x80\x9D",
                                      "1\xE2\x80\x93"
                                      "2",
                                      "\xC2\x81", "\xC3\xBF"}));
}

TEST(CsvWindows1252, ErrorsQuoteConvertedText) {
  Options options;
  options.force_types = {{"leads", ColumnType::kNumber}};
  EXPECT_EQ(checked_error("leads\n1\nbeaucoup tr\xE8s\n", options),
            "data.csv: line 3, column 'leads': expected a number, found 'beaucoup tr\xC3\xA8s'");
}

TEST(CsvWindows1252, NoNoticeWhenTheRowsReadAreAscii) {
  Options options;
  options.max_rows = 1;
  const Table t = read_checked("channel\nEmail\nR\xE9seaux\n", options);
  EXPECT_EQ(t.rows, 1u);
  EXPECT_TRUE(t.notices.empty());
}

TEST(CsvMixedEncodings, InvalidUtf8InAUtf8FileNamesTheFirstOffendingCell) {
  EXPECT_EQ(checked_error("channel,leads\nR\xC3\xA9seaux,1\nR\xE9seaux,2\n"),
            "data.csv: line 3, column 'channel': invalid UTF-8 in 'R\\xE9seaux' (the file mixes "
            "text encodings); save it as UTF-8");
  // The first invalid byte is what is named, even when the UTF-8 comes later.
  EXPECT_EQ(checked_error("channel,leads\nR\xE9seaux,1\nR\xC3\xA9seaux,2\n"),
            "data.csv: line 2, column 'channel': invalid UTF-8 in 'R\\xE9seaux' (the file mixes "
            "text encodings); save it as UTF-8");
}

TEST(CsvMixedEncodings, AUtf8BomMeansUtf8) {
  // The BOM says UTF-8, so a Windows-1252 byte after it is a mix, not an 8-bit file.
  EXPECT_EQ(checked_error("\xEF\xBB\xBF"
                     "channel\nR\xE9seaux\n"),
            "data.csv: line 2, column 'channel': invalid UTF-8 in 'R\\xE9seaux' (the file mixes "
            "text encodings); save it as UTF-8");
}

TEST(CsvMixedEncodings, MalformedSequencesAreInvalid) {
  // Each beside a valid "é": overlong '/', a UTF-16 surrogate, above U+10FFFF, a
  // lone continuation byte, a sequence cut by the end of the file.
  const std::string prefix = "x,y\n\xC3\xA9,";
  EXPECT_EQ(checked_error(prefix + "\xC0\xAF\n"),
            "data.csv: line 2, column 'y': invalid UTF-8 in '\\xC0\\xAF' (the file mixes text "
            "encodings); save it as UTF-8");
  EXPECT_EQ(checked_error(prefix + "\xED\xA0\x80\n"),
            "data.csv: line 2, column 'y': invalid UTF-8 in '\\xED\\xA0\\x80' (the file mixes "
            "text encodings); save it as UTF-8");
  EXPECT_EQ(checked_error(prefix + "\xF4\x90\x80\x80\n"),
            "data.csv: line 2, column 'y': invalid UTF-8 in '\\xF4\\x90\\x80\\x80' (the file "
            "mixes text encodings); save it as UTF-8");
  EXPECT_EQ(checked_error(prefix + "a\x80z\n"),
            "data.csv: line 2, column 'y': invalid UTF-8 in 'a\\x80z' (the file mixes text "
            "encodings); save it as UTF-8");
  EXPECT_EQ(checked_error(prefix + "\xE2\x82"),
            "data.csv: line 2, column 'y': invalid UTF-8 in '\\xE2\\x82' (the file mixes text "
            "encodings); save it as UTF-8");
}

TEST(CsvMixedEncodings, ValidUtf8OfEveryLengthIsKept) {
  const Table t = read_checked("w\n\xC3\xA9\n\xE2\x82\xAC\n\xF0\x9F\x93\x88\n");
  EXPECT_EQ(t.columns[0].levels,
            (std::vector<std::string>{"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x93\x88"}));
  EXPECT_TRUE(t.notices.empty());
}

// ---- Quotes inside unquoted cells ------------------------------------------

TEST(CsvStrayQuotes, KeptAsWrittenWithOneNoticeCountingTheCells) {
  const Table t =
      read_checked("size,n\n12\" screen,1\n15\" screen,2\nab\"c\"d,3\n\"quoted \"\"ok\"\"\",4\n");
  EXPECT_EQ(t.columns[0].levels,
            (std::vector<std::string>{"12\" screen", "15\" screen", "ab\"c\"d", "quoted \"ok\""}));
  EXPECT_EQ(t.notices,
            (std::vector<std::string>{"data.csv: 3 cells have a quote inside unquoted text, kept "
                                      "as written (first at line 2, column 'size')"}));
}

TEST(CsvStrayQuotes, ANumberFollowedByAQuoteIsText) {
  const Table t = read_checked("n,m\n1,2\n12\",3\n");
  ASSERT_EQ(t.columns[0].type, ColumnType::kCategory);
  EXPECT_EQ(t.columns[0].levels, (std::vector<std::string>{"1", "12\""}));
  EXPECT_EQ(t.notices, (std::vector<std::string>{"data.csv: 1 cell has a quote inside unquoted "
                                                 "text, kept as written (first at line 3, column "
                                                 "'n')"}));
}

TEST(CsvStrayQuotes, ProperlyQuotedCellsGiveNoNotice) {
  EXPECT_TRUE(read_checked("a,b\n\"x\"\"y\", \"z\" \n").notices.empty());
}

TEST(CsvNotices, BothKindsAtOnceStayTwoSentences) {
  std::string text = "size,channel\n";
  for (int i = 0; i < 1000; ++i) text += "12\" screen,R\xE9seaux\n";
  const Table t = read_checked(text);
  ASSERT_EQ(t.notices.size(), 2u);
  EXPECT_EQ(t.notices[0],
            "data.csv: read as Windows-1252 (Latin-1): the file is not UTF-8 (first at line 2, "
            "column 'channel': 'R\xC3\xA9seaux')");
  EXPECT_EQ(t.notices[1],
            "data.csv: 1000 cells have a quote inside unquoted text, kept as written (first at "
            "line 2, column 'size')");
}

// ---- A missing header ------------------------------------------------------

TEST(CsvHeaderless, TimestampInTheFirstLineMeansNoHeader) {
  EXPECT_EQ(checked_error("2024-01-01 00:00:00,5,3.5\n2024-01-01 01:00:00,6,2\n"),
            "data.csv: line 1 looks like data, not column names (found '2024-01-01 00:00:00'); "
            "add a header line such as timestamp,leads,spend");
  // Even beside text, and after blank lines.
  EXPECT_EQ(checked_error("\n\nemail,2024-01-01,5\nsearch,2024-01-02,6\n"),
            "data.csv: line 3 looks like data, not column names (found '2024-01-01'); add a "
            "header line such as timestamp,leads,spend");
}

TEST(CsvHeaderless, OnlyNumbersInTheFirstLineMeansNoHeader) {
  EXPECT_EQ(checked_error("5, 3.5,\n6,2,1\n"),
            "data.csv: line 1 looks like data, not column names (found '5'); add a header line "
            "such as timestamp,leads,spend");
}

TEST(CsvHeaderless, NamesWithDigitsAreNames) {
  const Table t = read_checked("leads_7d,2024_budget,q3 2024,channel\n1,2,3,x\n");
  EXPECT_EQ(t.columns[1].name, "2024_budget");
  EXPECT_EQ(read_checked("channel,2024\nx,1\n").columns[1].name, "2024");
  EXPECT_EQ(read_checked("NA,1\nx,2\n").columns[0].name, "NA");
}

// ---- Options and message hygiene -------------------------------------------

TEST(CsvOptions, NonAsciiDelimiterIsRefused) {
  Options options;
  options.delimiter = '\xA7';
  EXPECT_EQ(checked_error("a\xA7"
                     "b\n1\xA7"
                     "2\n",
                     options),
            "data.csv: the delimiter must be an ASCII character");
}

TEST(CsvMessages, CellTextIsEscapedInMessages) {
  Options options;
  options.force_types = {{"leads", ColumnType::kNumber}};
  EXPECT_EQ(checked_error("leads\n1\n\"a\nb\x01\x1B[31m\"\n", options),
            "data.csv: line 3, column 'leads': expected a number, found 'a\\x0Ab\\x01\\x1B[31m'");
  // Long cells are cut at a character boundary, never inside a UTF-8 sequence.
  EXPECT_EQ(checked_error("leads\n1\n" + std::string(39, 'x') + "\xC3\xA9zzz\n", options),
            "data.csv: line 3, column 'leads': expected a number, found '" + std::string(39, 'x') +
                "\xC3\xA9...'");
}

TEST(CsvMessages, TheSourceNameIsEscapedToo) {
  Options options;
  options.source = "r\xE9sultats\n.csv";
  try {
    read("", options);
    FAIL() << "expected fc::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "r\\xE9sultats\\x0A.csv: empty file");
  }
  options.source = "r\xC3\xA9sultats.csv";
  EXPECT_EQ(read("a\n1\n", options).source, "r\xC3\xA9sultats.csv");
}

TEST(CsvMessages, ColumnNamesAreEscapedInMessages) {
  EXPECT_EQ(checked_error("a\x01,a\x01\n1,2\n"),
            "data.csv: line 1: column name 'a\\x01' appears twice in the header (columns 1 and 2)");
}

}  // namespace
}  // namespace fc::csv
