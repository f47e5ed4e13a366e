//! The DOCX package's fixed parts around `word/document.xml`: the page
//! headers, styles, settings, font table, content types, relationships and
//! the document properties (dated by the generation date, for byte-identical
//! output).

use super::wml::escape;
use super::{FileDate, FIRST_LINE_INDENT, FONT, NS_R, NS_W, XML_DECL};
use crate::model::Document;

/// Page header: the default one (page 2 on) holds a centred PAGE field at
/// 13 pt; the first-page one is empty.
pub(super) fn header_xml(with_page_number: bool) -> String {
    let mut out = String::new();
    out.push_str(XML_DECL);
    out.push_str(&format!("<w:hdr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">"));
    if with_page_number {
        let rpr = "<w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr>";
        out.push_str("<w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>");
        out.push_str(&format!(
            "<w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
             <w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
             <w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
             <w:r><w:rPr><w:noProof/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t>2</w:t></w:r>\
             <w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>"
        ));
        out.push_str("</w:p>");
    } else {
        out.push_str("<w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr></w:p>");
    }
    out.push_str("</w:hdr>");
    out
}

pub(super) fn styles_xml() -> String {
    let fonts = format!(
        "<w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:cs=\"{FONT}\" w:eastAsia=\"{FONT}\"/>"
    );
    let body_ppr = format!(
        "<w:spacing w:before=\"0\" w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/>\
         <w:ind w:firstLine=\"{FIRST_LINE_INDENT}\"/><w:jc w:val=\"both\"/>"
    );
    let heading = |id: &str, name: &str, level: u8, italic: bool| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>\
             <w:basedOn w:val=\"BodyText\"/><w:next w:val=\"BodyText\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:keepLines/>{body_ppr}<w:outlineLvl w:val=\"{level}\"/></w:pPr>\
             <w:rPr><w:b/><w:bCs/>{}</w:rPr></w:style>",
            if italic { "<w:i/><w:iCs/>" } else { "" }
        )
    };
    let mut out = String::new();
    out.push_str(XML_DECL);
    out.push_str(&format!("<w:styles xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">"));
    out.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{fonts}<w:color w:val=\"000000\"/>\
         <w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>\
         </w:pPr></w:pPrDefault></w:docDefaults>"
    ));
    out.push_str(
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:widowControl/></w:pPr></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">\
         <w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>\
         <w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
    );
    out.push_str(
        "<w:style w:type=\"numbering\" w:default=\"1\" w:styleId=\"NoList\"><w:name w:val=\"No List\"/>\
         <w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>",
    );
    out.push_str(&format!(
        "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"BodyText\"><w:name w:val=\"Body\"/>\
         <w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{body_ppr}</w:pPr></w:style>"
    ));
    out.push_str(&heading("Heading1", "heading 1", 0, false));
    out.push_str(&heading("Heading2", "heading 2", 1, false));
    out.push_str(&heading("Heading3", "heading 3", 2, true));
    out.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/><w:basedOn w:val=\"Normal\"/>\
         <w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val=\"center\" w:pos=\"4677\"/>\
         <w:tab w:val=\"right\" w:pos=\"9355\"/></w:tabs></w:pPr><w:rPr><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>",
    );
    out.push_str("</w:styles>");
    out
}

pub(super) fn settings_xml() -> String {
    let word = "http://schemas.microsoft.com/office/word";
    let compat = |name: &str, val: &str| {
        format!("<w:compatSetting w:name=\"{name}\" w:uri=\"{word}\" w:val=\"{val}\"/>")
    };
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">\
         <w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"720\"/>\
         <w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:doNotExpandShiftReturn/>{}{}{}{}{}</w:compat>\
         <w:themeFontLang w:val=\"vi-VN\"/>\
         <w:decimalSymbol w:val=\",\"/><w:listSeparator w:val=\";\"/>\
         </w:settings>",
        compat("compatibilityMode", "15"),
        compat("overrideTableStyleFontSizeAndJustification", "1"),
        compat("enableOpenTypeFeatures", "1"),
        compat("doNotFlipMirrorIndents", "1"),
        compat("differentiateMultirowTableHeaders", "1"),
    )
}

pub(super) fn font_table_xml() -> String {
    format!(
        "{XML_DECL}<w:fonts xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">\
         <w:font w:name=\"{FONT}\"><w:panose1 w:val=\"02020603050405020304\"/><w:charset w:val=\"00\"/>\
         <w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/>\
         <w:sig w:usb0=\"E0002EFF\" w:usb1=\"C000785B\" w:usb2=\"00000009\" w:usb3=\"00000000\" w:csb0=\"000001FF\" w:csb1=\"00000000\"/>\
         </w:font></w:fonts>"
    )
}

pub(super) fn content_types() -> String {
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{wml}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{wml}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{wml}.settings+xml\"/>\
         <Override PartName=\"/word/fontTable.xml\" ContentType=\"{wml}.fontTable+xml\"/>\
         <Override PartName=\"/word/header1.xml\" ContentType=\"{wml}.header+xml\"/>\
         <Override PartName=\"/word/header2.xml\" ContentType=\"{wml}.header+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>"
    )
}

pub(super) fn package_rels() -> String {
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
         <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
         <Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
         </Relationships>"
    )
}

pub(super) fn document_rels() -> String {
    let t = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdStyles\" Type=\"{t}/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rIdSettings\" Type=\"{t}/settings\" Target=\"settings.xml\"/>\
         <Relationship Id=\"rIdFontTable\" Type=\"{t}/fontTable\" Target=\"fontTable.xml\"/>\
         <Relationship Id=\"rIdHeaderFirst\" Type=\"{t}/header\" Target=\"header1.xml\"/>\
         <Relationship Id=\"rIdHeaderDefault\" Type=\"{t}/header\" Target=\"header2.xml\"/>\
         </Relationships>"
    )
}

pub(super) fn core_xml(doc: &Document, date: &FileDate) -> String {
    let when = date.w3cdtf();
    format!(
        "{XML_DECL}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator>\
         <cp:lastModifiedBy>Tổ Số</cp:lastModifiedBy><dc:language>vi-VN</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>\
         </cp:coreProperties>",
        escape(&doc.file_title),
        escape(&doc.subject.join(" ")),
        escape(&doc.issuing_body.join(" ")),
    )
}

pub(super) fn app_xml() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Tổ Số</Application><DocSecurity>0</DocSecurity></Properties>"
    )
}
