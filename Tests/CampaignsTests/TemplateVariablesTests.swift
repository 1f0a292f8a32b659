import Foundation
import Testing

@testable import Campaigns

@Suite("Campaigns template variables")
struct TemplateVariablesTests {
    @Test("CA-18: placeholders in order of appearance, repeats included; count is the highest {{n}}")
    func placeholders() {
        #expect(TemplateVariables.placeholders(in: "Hi {{2}}, {{1}} and {{2}}") == [2, 1, 2])
        #expect(TemplateVariables.placeholders(in: "No variables {not {{ 1 }}}") == [])
        #expect(TemplateVariables.count(in: "Hi {{2}}, {{1}} and {{2}}") == 2)
        #expect(TemplateVariables.count(in: "plain") == 0)
        #expect(TemplateVariables.malformed(in: "{{ 1 }} {{a}} {{}} {{01}} }} {{") == ["{{ 1 }}", "{{a}}", "{{}}", "{{01}}", "}}", "{{"])
        #expect(TemplateVariables.isSequential([1, 2, 1, 3]))
        #expect(!TemplateVariables.isSequential([1, 3]))
        #expect(!TemplateVariables.isSequential([0, 1]))
        #expect(TemplateVariables.isSequential([]))
    }

    @Test("CA-34: render fills {{i}} with values[i-1]; a missing value leaves nothing")
    func render() {
        #expect(TemplateVariables.render("Hi {{1}}, order {{2}} for {{1}}.", values: ["Asha", "A-7"]) == "Hi Asha, order A-7 for Asha.")
        #expect(TemplateVariables.render("Hi {{1}} {{3}}!", values: ["Asha"]) == "Hi Asha !")
        #expect(TemplateVariables.render("Keep {{ 1 }} as written", values: ["x"]) == "Keep {{ 1 }} as written")
        #expect(TemplateVariables.render("नमस्ते {{1}} 👋🏽", values: ["आशा"]) == "नमस्ते आशा 👋🏽")
    }

    @Test("CA-34: the counts a campaign's mapping step asks for")
    func counts() {
        #expect(TemplateSamples.standard.bodyVariableCount == 2)
        #expect(TemplateSamples.standard.headerVariableCount == 1)
        #expect(TemplateSamples.standard.urlButtonVariableCount == 0)
        #expect(TemplateSamples.callToAction.urlButtonVariableCount == 1)
        #expect(TemplateSamples.callToAction.headerVariableCount == 0)
        #expect(TemplateSamples.coupon.hasVariables == false)
        #expect(TemplateSamples.carousel.isCarousel && !TemplateSamples.standard.isCarousel)
    }
}

@Suite("Template variables: hostile numbers")
struct TemplateVariableLimitTests {
    @Test("CA-15: {{1001}}, {{99999999999}} and an Int-overflowing {{n}} are malformed, not placeholders, and validation stays quick")
    func hugePlaceholders() {
        #expect(TemplateVariables.placeholders(in: "{{1000}}") == [1_000])
        for text in ["{{1001}}", "{{99999999999}}", "{{9223372036854775807}}", "{{99999999999999999999999}}"] {
            #expect(TemplateVariables.placeholders(in: text).isEmpty, "\(text)")
        }
        let template = TemplateContent(
            name: "big_numbers", language: "en", category: "utility", header: nil,
            body: TemplateBody(text: "Hi {{9223372036854775807}} and {{99999999999}}", samples: []), footer: nil, buttons: [], cards: nil)
        let codes = TemplateValidator.violations(of: template).map(\.code)
        #expect(codes.contains("template.variables.malformed"))
    }
}
