#include "redocpage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace loopscope {

namespace {

QString escaped(const QString &text)
{
    // toHtmlEscaped leaves the single quote alone: every attribute here is double-quoted.
    return text.toHtmlEscaped();
}

// An id made of the characters that need no escaping in an attribute or a URL fragment.
QString anchor(const QString &prefix, const QString &name)
{
    QString id = name;
    id.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]")), QStringLiteral("_"));
    return prefix + id;
}

QString schemaName(const QString &reference)
{
    return reference.section(u'/', -1);
}

QString schemaLink(const QString &name)
{
    return QStringLiteral("<a href=\"#%1\">%2</a>")
        .arg(anchor(QStringLiteral("schema-"), name), escaped(name));
}

QString number(const QJsonValue &value)
{
    return QString::number(value.toDouble(), 'g', 15);
}

// A schema's type in a few words: a link for a model, "array of ..." for a list.
QString typeText(const QJsonObject &schema)
{
    if (schema.contains(QStringLiteral("$ref")))
        return schemaLink(schemaName(schema.value(QStringLiteral("$ref")).toString()));
    const QString type = schema.value(QStringLiteral("type")).toString();
    QString text;
    if (type == u"array")
        text = QStringLiteral("array of ")
            + typeText(schema.value(QStringLiteral("items")).toObject());
    else
        text = escaped(type.isEmpty() ? QStringLiteral("any") : type);
    QStringList notes;
    if (schema.contains(QStringLiteral("minimum")))
        notes << QStringLiteral("≥ ") + number(schema.value(QStringLiteral("minimum")));
    if (schema.contains(QStringLiteral("maximum")))
        notes << QStringLiteral("≤ ") + number(schema.value(QStringLiteral("maximum")));
    if (schema.contains(QStringLiteral("enum"))) {
        QStringList values;
        for (const QJsonValue &value : schema.value(QStringLiteral("enum")).toArray())
            values << escaped(value.toVariant().toString());
        notes << QStringLiteral("one of: ") + values.join(QStringLiteral(", "));
    }
    if (schema.value(QStringLiteral("nullable")).toBool())
        notes << QStringLiteral("or null");
    if (schema.value(QStringLiteral("additionalProperties")) == false)
        notes << QStringLiteral("no other fields");
    if (!notes.isEmpty())
        text += QStringLiteral(" <span class=\"note\">(") + notes.join(QStringLiteral("; "))
            + QStringLiteral(")</span>");
    return text;
}

QString fieldTable(const QJsonObject &schema)
{
    const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    if (properties.isEmpty())
        return QStringLiteral("<p>") + typeText(schema) + QStringLiteral("</p>");
    const QJsonArray required = schema.value(QStringLiteral("required")).toArray();
    QString html = QStringLiteral("<table><tr><th>Field</th><th>Type</th><th>Required</th>"
                                  "<th>Description</th></tr>");
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject field = it.value().toObject();
        html += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td><td>%3</td><td>%4</td></tr>")
                    .arg(escaped(it.key()), typeText(field),
                        required.contains(it.key()) ? QStringLiteral("yes") : QStringLiteral("no"),
                        escaped(field.value(QStringLiteral("description")).toString()));
    }
    return html + QStringLiteral("</table>");
}

QString exampleText(const QJsonValue &example)
{
    if (example.isString())
        return example.toString();
    if (example.isObject())
        return QString::fromUtf8(QJsonDocument(example.toObject()).toJson(QJsonDocument::Indented));
    if (example.isArray())
        return QString::fromUtf8(QJsonDocument(example.toArray()).toJson(QJsonDocument::Indented));
    return example.toVariant().toString();
}

QString parametersSection(const QJsonArray &parameters)
{
    if (parameters.isEmpty())
        return {};
    QString html = QStringLiteral("<h4>Parameters</h4><table><tr><th>Name</th><th>In</th>"
                                  "<th>Type</th><th>Required</th><th>Default</th>"
                                  "<th>Description</th></tr>");
    for (const QJsonValue &value : parameters) {
        const QJsonObject parameter = value.toObject();
        const QJsonObject schema = parameter.value(QStringLiteral("schema")).toObject();
        const QJsonValue fallback = schema.value(QStringLiteral("default"));
        html += QStringLiteral("<tr><td><code>%1</code></td><td>%2</td><td>%3</td><td>%4</td>"
                               "<td>%5</td><td>%6</td></tr>")
                    .arg(escaped(parameter.value(QStringLiteral("name")).toString()),
                        escaped(parameter.value(QStringLiteral("in")).toString()), typeText(schema),
                        parameter.value(QStringLiteral("required")).toBool() ? QStringLiteral("yes")
                                                                             : QStringLiteral("no"),
                        fallback.isUndefined() ? QString()
                                               : escaped(fallback.toVariant().toString()),
                        escaped(parameter.value(QStringLiteral("description")).toString()));
    }
    return html + QStringLiteral("</table>");
}

// Each media type of a body or an answer: its schema, and its example when there is one.
QString contentText(const QJsonObject &content)
{
    QString html;
    for (auto it = content.begin(); it != content.end(); ++it) {
        const QJsonObject media = it.value().toObject();
        html += QStringLiteral("<p class=\"media\"><code>%1</code>: %2</p>")
                    .arg(escaped(it.key()),
                        typeText(media.value(QStringLiteral("schema")).toObject()));
        if (media.contains(QStringLiteral("example")))
            html += QStringLiteral("<pre>")
                + escaped(exampleText(media.value(QStringLiteral("example"))))
                + QStringLiteral("</pre>");
    }
    return html;
}

// `switchAnchor`: where the variant switch (PUT /_scope/modes) is described; empty when it is not.
QString operationSection(const QString &path, const QString &method, const QJsonObject &operation,
    const QString &switchAnchor)
{
    const QString id
        = anchor(QStringLiteral("op-"), operation.value(QStringLiteral("operationId")).toString());
    QString html = QStringLiteral("<section class=\"operation\" id=\"%1\"><h3><a href=\"#%1\">"
                                  "<span class=\"method %2\">%3</span> <code>%4</code></a></h3>"
                                  "<p>%5</p>")
                       .arg(id, escaped(method), escaped(method.toUpper()), escaped(path),
                           escaped(operation.value(QStringLiteral("summary")).toString()));
    if (operation.contains(QStringLiteral("x-variants"))) {
        QStringList variants;
        for (const QJsonValue &variant : operation.value(QStringLiteral("x-variants")).toArray())
            variants << escaped(variant.toString());
        html += QStringLiteral("<p class=\"variants\">Variants: %1 (default: %2)")
                    .arg(variants.join(QStringLiteral(", ")),
                        escaped(operation.value(QStringLiteral("x-default-variant")).toString()));
        if (!switchAnchor.isEmpty())
            html += QStringLiteral("; switch with <a href=\"#%1\">PUT /_scope/modes</a>")
                        .arg(switchAnchor);
        html += QStringLiteral(".</p>");
    }
    html += parametersSection(operation.value(QStringLiteral("parameters")).toArray());
    const QJsonObject body = operation.value(QStringLiteral("requestBody")).toObject();
    if (!body.isEmpty())
        html += QStringLiteral("<h4>Request body</h4>")
            + contentText(body.value(QStringLiteral("content")).toObject());
    html += QStringLiteral("<h4>Responses</h4>");
    const QJsonObject responses = operation.value(QStringLiteral("responses")).toObject();
    for (auto it = responses.begin(); it != responses.end(); ++it) {
        const QJsonObject response = it.value().toObject();
        html += QStringLiteral("<div class=\"response s%1\"><b>%2</b> %3")
                    .arg(escaped(it.key().left(1)), escaped(it.key()),
                        escaped(response.value(QStringLiteral("description")).toString()))
            + contentText(response.value(QStringLiteral("content")).toObject())
            + QStringLiteral("</div>");
    }
    return html + QStringLiteral("</section>");
}

const char *const style = R"(
:root { color-scheme: light dark; --muted: #888; --line: #8884; }
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 18em 1fr; }
nav { position: sticky; top: 0; height: 100vh; overflow: auto; padding: 1em; border-right: 1px solid var(--line); box-sizing: border-box; }
nav h2 { font-size: 0.8em; text-transform: uppercase; color: var(--muted); margin: 1.2em 0 0.3em; }
nav a { display: block; text-decoration: none; color: inherit; padding: 0.1em 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
main { padding: 1em 2em; max-width: 60em; }
section { border-bottom: 1px solid var(--line); padding: 0.5em 0 1em; }
h3 a { color: inherit; text-decoration: none; }
h2.tag { text-transform: capitalize; border-bottom: 2px solid var(--line); margin-top: 1.5em; }
.method { font-weight: 700; text-transform: uppercase; font-size: 0.85em; }
.get { color: #2f7ed8; } .post { color: #3a9b4b; } .put { color: #c68a00; } .delete { color: #c0392b; }
table { border-collapse: collapse; margin: 0.4em 0; }
th, td { border: 1px solid var(--line); padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
pre { background: #8881; padding: 0.6em; overflow: auto; }
.note, .variants { color: var(--muted); }
.response { margin: 0.3em 0; }
.s2 b { color: #3a9b4b; } .s4 b { color: #c68a00; } .s5 b { color: #c0392b; }
)";

} // namespace

QByteArray referencePage(const QJsonObject &openApi)
{
    const QJsonObject info = openApi.value(QStringLiteral("info")).toObject();
    const QJsonObject paths = openApi.value(QStringLiteral("paths")).toObject();
    const QJsonObject schemas = openApi.value(QStringLiteral("components"))
                                    .toObject()
                                    .value(QStringLiteral("schemas"))
                                    .toObject();
    const QString modesSwitch = paths.value(QStringLiteral("/_scope/modes"))
                                    .toObject()
                                    .value(QStringLiteral("put"))
                                    .toObject()
                                    .value(QStringLiteral("operationId"))
                                    .toString();
    const QString switchAnchor
        = modesSwitch.isEmpty() ? QString() : anchor(QStringLiteral("op-"), modesSwitch);
    // Routes grouped by tag, the course's first, then in the order the tags first appear.
    QStringList tags { QStringLiteral("course") };
    QHash<QString, QString> index;
    QHash<QString, QString> sections;
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject item = path.value().toObject();
        for (auto method = item.begin(); method != item.end(); ++method) {
            const QJsonObject operation = method.value().toObject();
            const QString tag = operation.value(QStringLiteral("tags")).toArray().at(0).toString();
            if (!tags.contains(tag))
                tags << tag;
            index[tag]
                += QStringLiteral("<a href=\"#%1\"><span class=\"method %2\">%3</span> %4</a>")
                       .arg(anchor(QStringLiteral("op-"),
                                operation.value(QStringLiteral("operationId")).toString()),
                           escaped(method.key()), escaped(method.key().toUpper()),
                           escaped(path.key()));
            sections[tag] += operationSection(path.key(), method.key(), operation, switchAnchor);
        }
    }
    QString nav;
    QString routes;
    for (const QString &tag : tags) {
        if (!index.contains(tag))
            continue;
        nav += QStringLiteral("<h2>") + escaped(tag) + QStringLiteral("</h2>") + index.value(tag);
        routes += QStringLiteral("<h2 class=\"tag\">") + escaped(tag) + QStringLiteral("</h2>")
            + sections.value(tag);
    }
    nav += QStringLiteral("<h2>Schemas</h2>");
    QString models;
    for (auto it = schemas.begin(); it != schemas.end(); ++it) {
        nav += schemaLink(it.key());
        models += QStringLiteral("<section id=\"%1\"><h3>%2</h3>")
                      .arg(anchor(QStringLiteral("schema-"), it.key()), escaped(it.key()))
            + fieldTable(it.value().toObject()) + QStringLiteral("</section>");
    }
    const QString title = escaped(info.value(QStringLiteral("title")).toString());
    const QString head
        = QStringLiteral("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width, "
                         "initial-scale=1\"><title>%1 · reference</title><style>")
              .arg(title);
    const QString body
        = QStringLiteral("</style></head><body><nav><b>%1</b> %2%3</nav><main><h1>%1</h1><p>%4</p>"
                         "<p>Schema: <a href=\"/openapi.json\">/openapi.json</a> · try the routes "
                         "in <a href=\"/docs\">/docs</a>.</p>%5<h2 class=\"tag\">Schemas</h2>%6"
                         "</main></body></html>")
              .arg(title, escaped(info.value(QStringLiteral("version")).toString()), nav,
                  escaped(info.value(QStringLiteral("description")).toString()), routes, models);
    const QString page = head + QLatin1String(style) + body;
    return page.toUtf8();
}

} // namespace loopscope
