<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <location filename="../widgets/export.cpp" line="47" />
        <source>size and resolution must be positive</source>
        <translation>Größe und Auflösung müssen positiv sein</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="57" />
        <location filename="../widgets/export.cpp" line="69" />
        <location filename="../widgets/export.cpp" line="75" />
        <source>cannot write the file</source>
        <translation>Datei kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="86" />
        <source>unknown figure format &apos;%1&apos; (use .png, .svg or .pdf)</source>
        <translation>unbekanntes Abbildungsformat „%1“ (.png, .svg oder .pdf verwenden)</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="169" />
        <source>Saved to %1</source>
        <translation>Gespeichert unter %1</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="175" />
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="176" />
        <source>SVG drawing (*.svg)</source>
        <translation>SVG-Zeichnung (*.svg)</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="177" />
        <source>PDF document (*.pdf)</source>
        <translation>PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="178" />
        <source>CSV table (*.csv)</source>
        <translation>CSV-Tabelle (*.csv)</translation>
    </message>
    <message>
        <location filename="../widgets/job_runner.cpp" line="91" />
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../widgets/job_runner.cpp" line="92" />
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../widgets/job_runner.cpp" line="93" />
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="128" />
        <source>&lt;p&gt;%1 is not in the knowledge graph.&lt;/p&gt;</source>
        <translation>&lt;p&gt;%1 ist nicht im Wissensgraphen.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="134" />
        <source>&lt;h4&gt;%1 — %2 in the knowledge graph&lt;/h4&gt;</source>
        <translation>&lt;h4&gt;%1 — %2 im Wissensgraphen&lt;/h4&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="135" />
        <source>&lt;p&gt;STRING %1 · GO %2 · Reactome %3&lt;/p&gt;</source>
        <translation>&lt;p&gt;STRING %1 · GO %2 · Reactome %3&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="142" />
        <source>&lt;p&gt;&lt;b&gt;STRING channels:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;STRING-Kanäle:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="145" />
        <source>&lt;p&gt;&lt;b&gt;Shared GO terms&lt;/b&gt; (most informative first):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Gemeinsame GO-Terme&lt;/b&gt; (informativste zuerst):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="161" />
        <source>&lt;p&gt;&lt;b&gt;Shared Reactome pathways&lt;/b&gt; (smallest first):&lt;/p&gt;&lt;ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Gemeinsame Reactome-Signalwege&lt;/b&gt; (kleinste zuerst):&lt;/p&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="163" />
        <source>&lt;li&gt;%1 &lt;small&gt;%2, %3 genes&lt;/small&gt;&lt;/li&gt;</source>
        <translation>&lt;li&gt;%1 &lt;small&gt;%2, %3 Gene&lt;/small&gt;&lt;/li&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_service.cpp" line="169" />
        <source>&lt;p&gt;&lt;i&gt;No direct evidence joins these genes.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Keine direkte Evidenz verbindet diese Gene.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="11" />
        <source>Choose at least one cell line.</source>
        <translation>Mindestens eine Zelllinie wählen.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="12" />
        <source>A CSV file is evaluated as one cell line.</source>
        <translation>Eine CSV-Datei wird als eine Zelllinie ausgewertet.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="13" />
        <source>k must be between 1 and 400.</source>
        <translation>k muss zwischen 1 und 400 liegen.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="14" />
        <source>Source weights cannot be negative.</source>
        <translation>Quellengewichte dürfen nicht negativ sein.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="15" />
        <source>Use at least one knowledge source.</source>
        <translation>Mindestens eine Wissensquelle verwenden.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="18" />
        <source>No such file: %1</source>
        <translation>Datei nicht gefunden: %1</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="19" />
        <source>Cannot read %1</source>
        <translation>%1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="22" />
        <source>Name the train and the test split.</source>
        <translation>Trainings- und Test-Split benennen.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="24" />
        <source>Train and test must be different splits.</source>
        <translation>Training und Test müssen verschiedene Splits sein.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="26" />
        <source>The official files have the splits train and test; other names need a CSV file.</source>
        <translation>Die offiziellen Dateien haben die Splits train und test; andere Namen brauchen eine CSV-Datei.</translation>
    </message>
    <message>
        <location filename="../widgets/knn_launch.cpp" line="28" />
        <source>Use 0 (no intervals) or 100 to 10,000 resamples.</source>
        <translation>0 (keine Intervalle) oder 100 bis 10.000 Stichproben verwenden.</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="25" />
        <source>run %1 · %2</source>
        <translation>Lauf %1 · %2</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="83" />
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="84" />
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="85" />
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="86" />
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="87" />
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="54" />
        <source>figure size %1 x %2 cm at %3 dpi is out of range (at least 0.5 cm, at most 20000 px a side)</source>
        <translation>Abbildungsgröße %1 x %2 cm bei %3 dpi außerhalb des zulässigen Bereichs (mindestens 0,5 cm, höchstens 20000 px je Seite)</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="46" />
        <source>Workbench for calibrated predictors of CRISPRi perturbation effects.</source>
        <translation>Werkbank für kalibrierte Vorhersagen von CRISPRi-Perturbationseffekten.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="48" />
        <source>Experiment store (default: $PERTURBSCOPE_STORE or the per-user store).</source>
        <translation>Experimentdatenbank (Standard: $PERTURBSCOPE_STORE oder die des Benutzers).</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="49" />
        <source>Colour theme: light or dark.</source>
        <translation>Farbschema: light (hell) oder dark (dunkel).</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="50" />
        <source>Render each main view of the embedded default to DIR/&lt;view&gt;.png and exit.</source>
        <translation>Jede Hauptansicht des eingebauten Standardlaufs nach DIR/&lt;Ansicht&gt;.png rendern und beenden.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="51" />
        <source>Print the version and exit.</source>
        <translation>Version ausgeben und beenden.</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="81" />
        <source>PerturbScope</source>
        <translation>PerturbScope</translation>
    </message>
    <message>
        <location filename="../app/gui/main.cpp" line="64" />
        <source>report | export-figure: a run&apos;s HTML report or one figure, headless (perturbscope COMMAND --help).</source>
        <translation>report | export-figure: der HTML-Bericht eines Laufs oder eine Abbildung, ohne Fenster (perturbscope BEFEHL --help).</translation>
    </message>
</context>
<context>
    <name>metric</name>
    <message>
        <location filename="../widgets/metric_names.cpp" line="15" />
        <source>Pairs</source>
        <translation>Paare</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="16" />
        <source>DE pairs</source>
        <translation>DE-Paare</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="17" />
        <source>AUROC per gene</source>
        <translation>AUROC pro Gen</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="18" />
        <source>AUROC per gene, 95 % CI</source>
        <translation>AUROC pro Gen, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="19" />
        <source>Genes scored</source>
        <translation>Bewertete Gene</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="20" />
        <source>Genes skipped (one class only)</source>
        <translation>Übersprungene Gene (nur eine Klasse)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="21" />
        <source>AUROC pooled</source>
        <translation>AUROC gepoolt</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="22" />
        <source>AUROC pooled, 95 % CI</source>
        <translation>AUROC gepoolt, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="23" />
        <source>Decision threshold</source>
        <translation>Entscheidungsschwelle</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="24" />
        <source>Precision</source>
        <translation>Präzision</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="25" />
        <source>Recall</source>
        <translation>Sensitivität</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="26" />
        <source>F1 score</source>
        <translation>F1-Wert</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="27" />
        <source>F1 score, 95 % CI</source>
        <translation>F1-Wert, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="28" />
        <source>Best F1 score</source>
        <translation>Bester F1-Wert</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="29" />
        <source>Threshold of the best F1</source>
        <translation>Schwelle des besten F1-Werts</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="30" />
        <source>Precision at the best F1</source>
        <translation>Präzision beim besten F1-Wert</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="31" />
        <source>Recall at the best F1</source>
        <translation>Sensitivität beim besten F1-Wert</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="32" />
        <source>Brier score</source>
        <translation>Brier-Score</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="33" />
        <source>Brier score, 95 % CI</source>
        <translation>Brier-Score, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="34" />
        <source>Expected calibration error</source>
        <translation>Erwarteter Kalibrierungsfehler</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="35" />
        <source>Expected calibration error, 95 % CI</source>
        <translation>Erwarteter Kalibrierungsfehler, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="36" />
        <location filename="../widgets/metric_names.cpp" line="71" />
        <source>Bootstrap resamples</source>
        <translation>Bootstrap-Stichproben</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="37" />
        <source>Cell line</source>
        <translation>Zelllinie</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="38" />
        <source>Cell lines</source>
        <translation>Zelllinien</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="39" />
        <source>Test pairs</source>
        <translation>Testpaare</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="40" />
        <source>Training pairs</source>
        <translation>Trainingspaare</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="41" />
        <source>Validation pairs</source>
        <translation>Validierungspaare</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="42" />
        <source>Test targets unseen in training</source>
        <translation>Im Training ungesehene Testziele</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="43" />
        <source>Unresolved gene symbols</source>
        <translation>Nicht aufgelöste Gensymbole</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="44" />
        <source>Validation AUROC per gene</source>
        <translation>Validierungs-AUROC pro Gen</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="45" />
        <source>Run time (s)</source>
        <translation>Laufzeit (s)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="46" />
        <source>Graph loading time (s)</source>
        <translation>Ladezeit des Graphen (s)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="47" />
        <source>Graph from cache</source>
        <translation>Graph aus dem Cache</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="48" />
        <source>Up/down test pairs</source>
        <translation>Testpaare hoch/runter</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="49" />
        <source>Up/down accuracy</source>
        <translation>Genauigkeit hoch/runter</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="50" />
        <source>Up/down accuracy, 95 % CI</source>
        <translation>Genauigkeit hoch/runter, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="51" />
        <source>Majority-direction accuracy</source>
        <translation>Genauigkeit der Mehrheitsrichtung</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="52" />
        <source>STRING-only AUROC per gene</source>
        <translation>AUROC pro Gen nur mit STRING</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="53" />
        <source>Gain over STRING-only</source>
        <translation>Gewinn gegenüber nur STRING</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="54" />
        <source>Gain over STRING-only, 95 % CI</source>
        <translation>Gewinn gegenüber nur STRING, 95-%-KI</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="56" />
        <location filename="../widgets/metric_names.cpp" line="57" />
        <source>Neighbours k</source>
        <translation>Nachbarn k</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="58" />
        <source>Candidate pool</source>
        <translation>Kandidatenpool</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="59" />
        <source>Source weights</source>
        <translation>Quellengewichte</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="60" />
        <source>Neighbour weight power</source>
        <translation>Exponent der Nachbargewichte</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="61" />
        <source>Shrinkage to the base rate (α)</source>
        <translation>Schrumpfung zur Basisrate (α)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="62" />
        <source>Target neighbours</source>
        <translation>Zielnachbarn</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="63" />
        <source>Target-neighbourhood weight (β)</source>
        <translation>Gewicht der Zielnachbarschaft (β)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="64" />
        <source>Perturbation-strength weight (γ)</source>
        <translation>Gewicht der Perturbationsstärke (γ)</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="65" />
        <source>CSV file</source>
        <translation>CSV-Datei</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="66" />
        <source>Training split</source>
        <translation>Trainingsaufteilung</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="67" />
        <source>Test split</source>
        <translation>Testaufteilung</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="68" />
        <source>Validation fraction</source>
        <translation>Validierungsanteil</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="69" />
        <source>Random seed</source>
        <translation>Zufallsstartwert</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="70" />
        <source>Calibration</source>
        <translation>Kalibrierung</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="72" />
        <source>Up/down task</source>
        <translation>Aufgabe hoch/runter</translation>
    </message>
    <message>
        <location filename="../widgets/metric_names.cpp" line="73" />
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>Up/down AUROC per gene</source>
        <translation>AUROC pro Gen hoch/runter</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>Szenario</translation>
    </message>
    <message>
        <source>Calibration split</source>
        <translation>Kalibrierungsaufteilung</translation>
    </message>
    <message>
        <source>Calibration method</source>
        <translation>Kalibrierungsmethode</translation>
    </message>
    <message>
        <source>Isotonic steps</source>
        <translation>Isotone Stufen</translation>
    </message>
    <message>
        <source>Platt slope a</source>
        <translation>Platt-Steigung a</translation>
    </message>
    <message>
        <source>Platt intercept b</source>
        <translation>Platt-Achsenabschnitt b</translation>
    </message>
</context>
<context>
    <name>ps::gui::CompareModel</name>
    <message>
        <source>run %1 · %2</source>
        <translation>Lauf %1 · %2</translation>
    </message>
    <message>
        <source>run %1: %2 of %3 left out</source>
        <translation>Lauf %1: %2 von %3 ausgelassen</translation>
    </message>
    <message numerus="yes">
        <source>The runs were scored on different item sets. Every number here is computed on the %n item(s) all of them hold (%1).</source>
        <translation>
            <numerusform>Die Läufe wurden auf unterschiedlichen Item-Mengen bewertet. Jede Zahl hier ist auf dem %n Item berechnet, das alle enthalten (%1).</numerusform>
            <numerusform>Die Läufe wurden auf unterschiedlichen Item-Mengen bewertet. Jede Zahl hier ist auf den %n Items berechnet, die alle enthalten (%1).</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (baseline)</source>
        <translation>%1 (Referenz)</translation>
    </message>
    <message>
        <source>run %1 − run %2</source>
        <translation>Lauf %1 − Lauf %2</translation>
    </message>
    <message>
        <source>paired difference</source>
        <translation>gepaarte Differenz</translation>
    </message>
    <message>
        <source>%1 of this run&apos;s %2 items are not held by every run and were left out</source>
        <translation>%1 der %2 Items dieses Laufs sind nicht in jedem Lauf enthalten und wurden ausgelassen</translation>
    </message>
    <message>
        <source>95 % paired bootstrap interval of the difference (the same resampled items for both runs; genes for the per-gene AUROC)</source>
        <translation>Gepaartes 95-%-Bootstrap-Intervall der Differenz (dieselben gezogenen Items für beide Läufe; Gene für die AUROC pro Gen)</translation>
    </message>
    <message>
        <source>95 % percentile bootstrap interval (items resampled; genes for the per-gene AUROC)</source>
        <translation>95-%-Perzentil-Bootstrap-Intervall (Items neu gezogen; Gene für die AUROC pro Gen)</translation>
    </message>
    <message>
        <source>The interval excludes 0</source>
        <translation>Das Intervall schließt 0 aus</translation>
    </message>
    <message>
        <source>Only runs of a language model parse answers</source>
        <translation>Nur Läufe eines Sprachmodells parsen Antworten</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>F1 95% CI</source>
        <translation>F1 95-%-KI</translation>
    </message>
    <message>
        <source>Brier</source>
        <translation>Brier</translation>
    </message>
    <message>
        <source>Brier 95% CI</source>
        <translation>Brier 95-%-KI</translation>
    </message>
    <message>
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <source>ECE 95% CI</source>
        <translation>ECE 95-%-KI</translation>
    </message>
    <message>
        <source>AUROC per gene</source>
        <translation>AUROC pro Gen</translation>
    </message>
    <message>
        <source>AUROC per gene 95% CI</source>
        <translation>AUROC pro Gen 95-%-KI</translation>
    </message>
    <message>
        <source>Parse rate</source>
        <translation>Parse-Quote</translation>
    </message>
</context>
<context>
    <name>ps::gui::CompareView</name>
    <message>
        <source>The run every other run&apos;s paired differences are taken against</source>
        <translation>Der Lauf, gegen den die gepaarten Differenzen aller anderen Läufe berechnet werden</translation>
    </message>
    <message>
        <source>&amp;Copy table</source>
        <translation>Tabelle &amp;kopieren</translation>
    </message>
    <message>
        <source>Put the table on the clipboard as CSV</source>
        <translation>Die Tabelle als CSV in die Zwischenablage legen</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Baseline:</source>
        <translation>Referenz:</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Select two or more runs in the Runs tab and press Compare.</source>
        <translation>Zwei oder mehr Läufe im Reiter Läufe auswählen und Vergleichen drücken.</translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n run(s)…</source>
        <translation>
            <numerusform>Vergleiche %n Lauf…</numerusform>
            <numerusform>Vergleiche %n Läufe…</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot compare the runs: %1</source>
        <translation>Die Läufe können nicht verglichen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s), scored by every run; paired differences against %1.</source>
        <translation>
            <numerusform>%n Item, von jedem Lauf bewertet; gepaarte Differenzen gegen %1.</numerusform>
            <numerusform>%n Items, von jedem Lauf bewertet; gepaarte Differenzen gegen %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::ExportDialog</name>
    <message>
        <location filename="../widgets/export.cpp" line="183" />
        <source>Export figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="183" />
        <source>Export table</source>
        <translation>Tabelle exportieren</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="209" />
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="216" />
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="217" />
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="233" />
        <source>Width:</source>
        <translation>Breite:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="234" />
        <source>Height:</source>
        <translation>Höhe:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="235" />
        <source>Resolution:</source>
        <translation>Auflösung:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="236" />
        <source>Raster size:</source>
        <translation>Rastergröße:</translation>
    </message>
    <message>
        <location filename="../widgets/export.cpp" line="287" />
        <source>%1 × %2 px (PNG)</source>
        <translation>%1 × %2 px (PNG)</translation>
    </message>
</context>
<context>
    <name>ps::gui::KgBrowser</name>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="147" />
        <source>Back (Alt+Left)</source>
        <translation>Zurück (Alt+Links)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="151" />
        <source>Forward (Alt+Right)</source>
        <translation>Vor (Alt+Rechts)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="158" />
        <source>Gene symbol or alias, e.g. TP53 or p53…</source>
        <translation>Gensymbol oder Alias, z. B. TP53 oder p53…</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="170" />
        <location filename="../widgets/kg_browser.cpp" line="599" />
        <source>STRING</source>
        <translation>STRING</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="171" />
        <location filename="../widgets/kg_browser.cpp" line="600" />
        <source>GO</source>
        <translation>GO</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="172" />
        <location filename="../widgets/kg_browser.cpp" line="601" />
        <source>Reactome</source>
        <translation>Reactome</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="200" />
        <source>Export the graph (PNG, SVG, PDF)</source>
        <translation>Graph exportieren (PNG, SVG, PDF)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="203" />
        <source>Loading the knowledge graph…</source>
        <translation>Wissensgraph wird geladen…</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="259" />
        <source>Target gene…</source>
        <translation>Zielgen…</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="268" />
        <source>Predict</source>
        <translation>Vorhersagen</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="271" />
        <source>Pick a target gene to see the KNN-KG prediction and the neighbours that voted.</source>
        <translation>Ein Zielgen wählen, um die KNN-KG-Vorhersage und die abstimmenden Nachbarn zu sehen.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="303" />
        <source>KNN-KG prediction:</source>
        <translation>KNN-KG-Vorhersage:</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="328" />
        <source>Knowledge graph ready: %1 genes, %2 STRING edges, %3 GO terms, %4 pathways. Search a gene.</source>
        <translation>Wissensgraph bereit: %1 Gene, %2 STRING-Kanten, %3 GO-Terme, %4 Signalwege. Ein Gen suchen.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="336" />
        <source>&lt;span style=&apos;color:#c8463a&apos;&gt;The knowledge graph could not be loaded: %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c8463a&apos;&gt;Der Wissensgraph konnte nicht geladen werden: %1&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="178" />
        <source>Neighbours shown and used (1 to the candidate pool); Enter applies</source>
        <translation>Angezeigte und verwendete Nachbarn (1 bis zum Kandidatenpool); Eingabe übernimmt</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="218" />
        <source>Wheel or Ctrl+plus/minus: zoom · drag: pan · Ctrl+0: whole graph</source>
        <translation>Mausrad oder Strg+Plus/Minus: zoomen · Ziehen: verschieben · Strg+0: ganzer Graph</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="221" />
        <source>Zoom in (Ctrl++)</source>
        <translation>Vergrößern (Strg++)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="224" />
        <source>Zoom out (Ctrl+-)</source>
        <translation>Verkleinern (Strg+-)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="226" />
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="227" />
        <source>Show the whole graph (Ctrl+0)</source>
        <translation>Den ganzen Graphen zeigen (Strg+0)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="294" />
        <source>k =</source>
        <translation>k =</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="381" />
        <source>k must be a whole number, not “%1”</source>
        <translation>k muss eine ganze Zahl sein, nicht „%1“</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="385" />
        <source>k must be between 1 and %1 (the candidate pool), not %2</source>
        <translation>k muss zwischen 1 und %1 (dem Kandidatenpool) liegen, nicht %2</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="405" />
        <source>Scored with the default KNN settings: %1, k = %2</source>
        <translation>Bewertet mit den Standard-KNN-Einstellungen: %1, k = %2</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="406" />
        <source>Scored with the KNN settings of %1: %2, k = %3</source>
        <translation>Bewertet mit den KNN-Einstellungen von %1: %2, k = %3</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="423" />
        <source>%1 or %2</source>
        <translation>%1 oder %2</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="463" />
        <location filename="../widgets/kg_browser.cpp" line="645" />
        <source>“%1” is an old symbol of several genes: %2. Pick one.</source>
        <translation>„%1“ ist ein altes Symbol mehrerer Gene: %2. Wählen Sie eines.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="466" />
        <location filename="../widgets/kg_browser.cpp" line="647" />
        <source>No gene “%1” in the knowledge graph. Did you mean %2?</source>
        <translation>Kein Gen „%1“ im Wissensgraphen. Meinten Sie %2?</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="469" />
        <location filename="../widgets/kg_browser.cpp" line="649" />
        <source>No gene “%1” in the knowledge graph (symbols and aliases are searched).</source>
        <translation>Kein Gen „%1“ im Wissensgraphen (Symbole und Aliasse werden durchsucht).</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="511" />
        <source>Finding the neighbours of &lt;b&gt;%1&lt;/b&gt;…</source>
        <translation>Nachbarn von &lt;b&gt;%1&lt;/b&gt; werden gesucht…</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="516" />
        <source>&lt;b style=&apos;font-size:14pt&apos;&gt;%1&lt;/b&gt; &amp;nbsp; %2</source>
        <translation>&lt;b style=&apos;font-size:14pt&apos;&gt;%1&lt;/b&gt; &amp;nbsp; %2</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="517" />
        <source> &amp;nbsp;·&amp;nbsp; %1, chromosome %2</source>
        <translation> &amp;nbsp;·&amp;nbsp; %1, Chromosom %2</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="518" />
        <source> &amp;nbsp;·&amp;nbsp; %1 STRING partners &amp;nbsp;·&amp;nbsp; top %2 neighbours by %3</source>
        <translation> &amp;nbsp;·&amp;nbsp; %1 STRING-Partner &amp;nbsp;·&amp;nbsp; beste %2 Nachbarn nach %3</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="522" />
        <source>Pick a target gene to see the KNN-KG prediction for %1 and the neighbours that voted.</source>
        <translation>Ein Zielgen wählen, um die KNN-KG-Vorhersage für %1 und die abstimmenden Nachbarn zu sehen.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="589" />
        <source>%1 — %2
score %3, %4 STRING partners
%5</source>
        <translation>%1 — %2
Wert %3, %4 STRING-Partner
%5</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="609" />
        <source>edge width: weight
node size: STRING degree</source>
        <translation>Kantenbreite: Gewicht
Knotengröße: STRING-Grad</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="616" />
        <source>voted DE</source>
        <translation>stimmte für DE</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="617" />
        <source>voted not DE</source>
        <translation>stimmte für nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="618" />
        <source>no label for target</source>
        <translation>kein Label für das Ziel</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="653" />
        <source>The KNN-KG predictor is not available in this build.</source>
        <translation>Der KNN-KG-Prädiktor ist in diesem Build nicht verfügbar.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="658" />
        <source>Predicting %1 → %2 in %3…</source>
        <translation>Vorhersage %1 → %2 in %3…</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="682" />
        <source>&lt;b style=&apos;font-size:14pt&apos;&gt;%1&lt;/b&gt; &amp;nbsp; %2 &amp;nbsp;·&amp;nbsp; its KNN-KG voters for &lt;b&gt;%3&lt;/b&gt; in %4: the nearest train perturbers with a label for %3</source>
        <translation>&lt;b style=&apos;font-size:14pt&apos;&gt;%1&lt;/b&gt; &amp;nbsp; %2 &amp;nbsp;·&amp;nbsp; seine KNN-KG-Abstimmenden für &lt;b&gt;%3&lt;/b&gt; in %4: die nächsten Trainings-Perturbatoren mit einem Label für %3</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="688" />
        <source>&lt;b&gt;%1 knocked down → %2&lt;/b&gt; in %3: score &lt;b&gt;%4&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1 herunterreguliert → %2&lt;/b&gt; in %3: Wert &lt;b&gt;%4&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="691" />
        <source>, calibrated P(DE) in the open run &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>, kalibrierte P(DE) im geöffneten Lauf &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/kg_browser.cpp" line="692" />
        <source> · %n neighbour(s) voted</source>
        <translation>
            <numerusform> · %n Nachbar stimmte ab</numerusform>
            <numerusform> · %n Nachbarn stimmten ab</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="693" />
        <source> · target&apos;s train DE rate %1</source>
        <translation> · DE-Rate des Ziels im Training %1</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="694" />
        <source> · &lt;i&gt;target unseen in train&lt;/i&gt;</source>
        <translation> · &lt;i&gt;Ziel im Training nicht gesehen&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="695" />
        <source> · observed: &lt;b&gt;%1&lt;/b&gt; (%2)</source>
        <translation> · beobachtet: &lt;b&gt;%1&lt;/b&gt; (%2)</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="695" />
        <source>DE</source>
        <translation>DE</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="695" />
        <source>not DE</source>
        <translation>nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="696" />
        <source>&lt;br&gt;The graph shows the %1 neighbours of %2 that voted: red voted DE, blue not DE.</source>
        <translation>&lt;br&gt;Der Graph zeigt die %1 abstimmenden Nachbarn von %2: rot stimmte für DE, blau für nicht DE.</translation>
    </message>
    <message>
        <location filename="../widgets/kg_browser.cpp" line="712" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::KgService</name>
    <message>
        <location filename="../widgets/kg_service.cpp" line="121" />
        <source>&lt;p&gt;&lt;i&gt;The knowledge graph is still loading.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Der Wissensgraph wird noch geladen.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>ps::gui::LauncherView</name>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="40" />
        <source>Perturber neighbours that vote (those with a train label for the target)</source>
        <translation>Abstimmende Perturbator-Nachbarn (mit Trainingslabel für das Ziel)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="55" />
        <source>Weight of STRING protein associations (0 leaves it out)</source>
        <translation>Gewicht der STRING-Proteinassoziationen (0 lässt sie weg)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="56" />
        <source>Weight of shared GO terms (0 leaves it out)</source>
        <translation>Gewicht gemeinsamer GO-Terme (0 lässt sie weg)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="57" />
        <source>Weight of shared Reactome pathways (0 leaves it out)</source>
        <translation>Gewicht gemeinsamer Reactome-Signalwege (0 lässt sie weg)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="59" />
        <source>STRING</source>
        <translation>STRING</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="61" />
        <source>GO</source>
        <translation>GO</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="63" />
        <source>Reactome</source>
        <translation>Reactome</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="68" />
        <source>Official PerturbQA files (or a CSV with pert, gene, label, split)</source>
        <translation>Offizielle PerturbQA-Dateien (oder eine CSV mit pert, gene, label, split)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="72" />
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="74" />
        <source>PerturbQA-format CSV</source>
        <translation>CSV im PerturbQA-Format</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="74" />
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="89" />
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="91" />
        <source>→ test</source>
        <translation>→ Test</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="96" />
        <source>Isotonic (fitted on validation)</source>
        <translation>Isoton (auf Validierung angepasst)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="97" />
        <source>Platt (fitted on validation)</source>
        <translation>Platt (auf Validierung angepasst)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="98" />
        <source>None (raw scores)</source>
        <translation>Keine (Rohwerte)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="102" />
        <source>Bootstrap resamples for the 95 % intervals (0: none)</source>
        <translation>Bootstrap-Stichproben für die 95-%-Intervalle (0: keine)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="107" />
        <source>Also predict the direction (up/down) of DE pairs</source>
        <translation>Auch die Richtung (hoch/runter) der DE-Paare vorhersagen</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="110" />
        <source>Cell lines:</source>
        <translation>Zelllinien:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="111" />
        <source>Neighbours k:</source>
        <translation>Nachbarn k:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="112" />
        <source>Source weights:</source>
        <translation>Quellengewichte:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="113" />
        <source>Data:</source>
        <translation>Daten:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="114" />
        <source>Split:</source>
        <translation>Aufteilung:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="115" />
        <source>Calibration:</source>
        <translation>Kalibrierung:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="116" />
        <source>Bootstrap:</source>
        <translation>Bootstrap:</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="118" />
        <source>KNN-KG evaluation</source>
        <translation>KNN-KG-Auswertung</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="121" />
        <source>&amp;Run evaluation</source>
        <translation>Auswertung &amp;starten</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="124" />
        <source>Run (Ctrl+Enter)</source>
        <translation>Starten (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="125" />
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="134" />
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="138" />
        <source>The evaluation&apos;s progress and results appear here.</source>
        <translation>Fortschritt und Ergebnisse der Auswertung erscheinen hier.</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="155" />
        <source>%1 left</source>
        <translation>noch %1</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="165" />
        <source>Finished: run %1 is in the Runs tab.</source>
        <translation>Fertig: Lauf %1 steht im Reiter Läufe.</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="166" />
        <source>Finished: run %1</source>
        <translation>Fertig: Lauf %1</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="171" />
        <location filename="../widgets/launcher_view.cpp" line="172" />
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="176" />
        <location filename="../widgets/launcher_view.cpp" line="177" />
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="250" />
        <source>%1  KNN-KG on %2, k = %3, sources %4</source>
        <translation>%1  KNN-KG auf %2, k = %3, Quellen %4</translation>
    </message>
    <message>
        <location filename="../widgets/launcher_view.cpp" line="254" />
        <source>KNN-KG %1</source>
        <translation>KNN-KG %1</translation>
    </message>
</context>
<context>
    <name>ps::gui::MainWindow</name>
    <message>
        <location filename="../widgets/main_window.cpp" line="83" />
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="84" />
        <source>Launcher</source>
        <translation>Starter</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="85" />
        <source>Reliability</source>
        <translation>Zuverlässigkeit</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="86" />
        <source>KG browser</source>
        <translation>KG-Browser</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="87" />
        <source>Predictions</source>
        <translation>Vorhersagen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="123" />
        <source>Knowledge graph: %1</source>
        <translation>Wissensgraph: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="125" />
        <source>Knowledge graph loaded</source>
        <translation>Wissensgraph geladen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="150" />
        <source>Run details</source>
        <translation>Laufdetails</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="164" />
        <source>Cancel the running job</source>
        <translation>Laufenden Auftrag abbrechen</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/main_window.cpp" line="174" />
        <source>%n run(s) in %1</source>
        <translation>
            <numerusform>%n Lauf in %1</numerusform>
            <numerusform>%n Läufe in %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="185" />
        <source>Run %1 finished</source>
        <translation>Lauf %1 fertig</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="189" />
        <source>Job failed: %1</source>
        <translation>Auftrag fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="190" />
        <source>Job failed</source>
        <translation>Auftrag fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="194" />
        <source>Job cancelled</source>
        <translation>Auftrag abgebrochen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="205" />
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="206" />
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="207" />
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="208" />
        <source>Export the current figure (PNG, SVG, PDF) or table (CSV)</source>
        <translation>Aktuelle Abbildung (PNG, SVG, PDF) oder Tabelle (CSV) exportieren</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="210" />
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="213" />
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="220" />
        <source>&amp;Dark theme</source>
        <translation>&amp;Dunkles Farbschema</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="221" />
        <source>Ctrl+Shift+T</source>
        <translation>Ctrl+Shift+T</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="226" />
        <source>&amp;Runs</source>
        <translation>&amp;Läufe</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="227" />
        <source>&amp;Open selected</source>
        <translation>Auswahl ö&amp;ffnen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="228" />
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="229" />
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="231" />
        <source>&amp;Cancel job</source>
        <translation>Auftrag a&amp;bbrechen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="232" />
        <source>Ctrl+.</source>
        <translation>Ctrl+.</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="233" />
        <source>&amp;New KNN-KG evaluation</source>
        <translation>&amp;Neue KNN-KG-Auswertung</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="235" />
        <source>&amp;Find gene in predictions</source>
        <translation>Gen in Vorhersagen &amp;suchen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="240" />
        <source>Find gene in the &amp;knowledge graph</source>
        <translation>Gen im &amp;Wissensgraphen suchen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="244" />
        <source>Ctrl+G</source>
        <translation>Ctrl+G</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="246" />
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="247" />
        <source>&amp;About PerturbScope</source>
        <translation>Ü&amp;ber PerturbScope</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="248" />
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="250" />
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="281" />
        <source>Loading run %1…</source>
        <translation>Lauf %1 wird geladen…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="319" />
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="321" />
        <source>Run %1: %2; the KG browser uses the default KNN settings</source>
        <translation>Lauf %1: %2; der KG-Browser verwendet die Standard-KNN-Einstellungen</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="323" />
        <source>Opened run %1</source>
        <translation>Lauf %1 geöffnet</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="324" />
        <source>Run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="324" />
        <source>Runs %1</source>
        <translation>Läufe %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="334" />
        <source>Cannot open the run: %1</source>
        <translation>Der Lauf kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="351" />
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="351" />
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="391" />
        <source>&lt;h3&gt;Run %1: %2&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Lauf %1: %2&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="392" />
        <source>&lt;p&gt;%1 · %2&lt;br&gt;created %3&lt;br&gt;build %4&lt;/p&gt;</source>
        <translation>&lt;p&gt;%1 · %2&lt;br&gt;erstellt %3&lt;br&gt;Build %4&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="395" />
        <source>&lt;h4&gt;Summary&lt;/h4&gt;</source>
        <translation>&lt;h4&gt;Zusammenfassung&lt;/h4&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="396" />
        <source>&lt;h4&gt;Configuration&lt;/h4&gt;</source>
        <translation>&lt;h4&gt;Konfiguration&lt;/h4&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="398" />
        <source>&lt;p&gt;&lt;i&gt;Select a run.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Einen Lauf auswählen.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="419" />
        <source>About PerturbScope</source>
        <translation>Über PerturbScope</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="421" />
        <source>&lt;h2&gt;PerturbScope %1&lt;/h2&gt;&lt;p&gt;A workbench for calibrated predictors of CRISPRi perturbation effects: knowledge-graph neighbourhoods, KNN-KG predictions, reliability diagrams.&lt;/p&gt;&lt;p&gt;Build %2 · Qt %3&lt;/p&gt;&lt;p&gt;Data: PerturbQA (CC BY 4.0), STRING v12 (CC BY 4.0), Gene Ontology and NCBI Gene, Reactome (CC0).&lt;/p&gt;</source>
        <translation>&lt;h2&gt;PerturbScope %1&lt;/h2&gt;&lt;p&gt;Eine Werkbank für kalibrierte Vorhersagen von CRISPRi-Perturbationseffekten: Nachbarschaften im Wissensgraphen, KNN-KG-Vorhersagen, Zuverlässigkeitsdiagramme.&lt;/p&gt;&lt;p&gt;Build %2 · Qt %3&lt;/p&gt;&lt;p&gt;Daten: PerturbQA (CC BY 4.0), STRING v12 (CC BY 4.0), Gene Ontology und NCBI Gene, Reactome (CC0).&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="446" />
        <source>%1 — %2 (%3 left)</source>
        <translation>%1 — %2 (noch %3)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="471" />
        <source>Job running</source>
        <translation>Auftrag läuft</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="471" />
        <source>A job is still running. Cancel it and quit?</source>
        <translation>Ein Auftrag läuft noch. Abbrechen und beenden?</translation>
    </message>
    <message>
        <source>TTC</source>
        <translation>TTC</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Reason:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Grund:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Progress:&lt;/b&gt; %1 % %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Fortschritt:&lt;/b&gt; %1 % %2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Tags:&lt;/b&gt; %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Schlagwörter:&lt;/b&gt; %1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;h4&gt;Notes&lt;/h4&gt;</source>
        <translation>&lt;h4&gt;Notizen&lt;/h4&gt;</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>KNN-KG runs log no training curves</source>
        <translation>KNN-KG-Läufe zeichnen keine Trainingskurven auf</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="97" />
        <source>Curves</source>
        <translation>Kurven</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="98" />
        <source>Traces</source>
        <translation>Traces</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="99" />
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.cpp" line="113" />
        <source>%1 · %2 %3</source>
        <translation>%1 · %2 %3</translation>
    </message>
</context>
<context>
    <name>ps::gui::NeighbourhoodModel</name>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="123" />
        <source>DE (w %1)</source>
        <translation>DE (G %1)</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="124" />
        <source>not DE (w %1)</source>
        <translation>nicht DE (G %1)</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="125" />
        <source>no label</source>
        <translation>kein Label</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="143" />
        <source>Gene</source>
        <translation>Gen</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="144" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="145" />
        <source>Score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="146" />
        <source>STRING</source>
        <translation>STRING</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="147" />
        <source>GO</source>
        <translation>GO</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="148" />
        <source>Reactome</source>
        <translation>Reactome</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="149" />
        <source>KNN vote</source>
        <translation>KNN-Stimme</translation>
    </message>
    <message>
        <location filename="../widgets/neighbourhood_model.cpp" line="150" />
        <source>Evidence</source>
        <translation>Evidenz</translation>
    </message>
</context>
<context>
    <name>ps::gui::PredictionsModel</name>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="59" />
        <location filename="../widgets/predictions_model.cpp" line="61" />
        <source>DE</source>
        <translation>DE</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="59" />
        <location filename="../widgets/predictions_model.cpp" line="61" />
        <source>not DE</source>
        <translation>nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="64" />
        <source>✗ wrong</source>
        <translation>✗ falsch</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="64" />
        <source>✓ correct</source>
        <translation>✓ richtig</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="67" />
        <source>unseen</source>
        <translation>ungesehen</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="67" />
        <source>✓ seen</source>
        <translation>✓ gesehen</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="79" />
        <source>Cell line</source>
        <translation>Zelllinie</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="80" />
        <source>Perturber</source>
        <translation>Perturbator</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="81" />
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="82" />
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="83" />
        <source>P(DE)</source>
        <translation>P(DE)</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="84" />
        <source>Predicted</source>
        <translation>Vorhergesagt</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="85" />
        <source>Correct</source>
        <translation>Richtig</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_model.cpp" line="86" />
        <source>Target in train</source>
        <translation>Ziel im Training</translation>
    </message>
</context>
<context>
    <name>ps::gui::PredictionsView</name>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="29" />
        <source>Search a gene (perturber or target)…</source>
        <translation>Gen suchen (Perturbator oder Ziel)…</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="36" />
        <location filename="../widgets/predictions_view.cpp" line="140" />
        <source>All cell lines</source>
        <translation>Alle Zelllinien</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="44" />
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="45" />
        <source>Wrong</source>
        <translation>Falsch</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="46" />
        <source>Confident and wrong</source>
        <translation>Sicher und falsch</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="47" />
        <source>Unseen target</source>
        <translation>Ungesehenes Ziel</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="59" />
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="120" />
        <source>&lt;p&gt;&lt;i&gt;Select a prediction to see the evidence for the pair.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Eine Vorhersage auswählen, um die Evidenz für das Paar zu sehen.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="146" />
        <source>%1 of %2 pairs</source>
        <translation>%1 von %2 Paaren</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="155" />
        <source>&lt;h3&gt;%1 knocked down → %2&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;%1 herunterreguliert → %2&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="156" />
        <source>&lt;p&gt;Cell line &lt;b&gt;%1&lt;/b&gt; · P(DE) &lt;b&gt;%2&lt;/b&gt; · label &lt;b&gt;%3&lt;/b&gt; · %4&lt;/p&gt;</source>
        <translation>&lt;p&gt;Zelllinie &lt;b&gt;%1&lt;/b&gt; · P(DE) &lt;b&gt;%2&lt;/b&gt; · Label &lt;b&gt;%3&lt;/b&gt; · %4&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="159" />
        <source>DE</source>
        <translation>DE</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="159" />
        <source>not DE</source>
        <translation>nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="160" />
        <source>&lt;span style=&apos;color:#c8463a&apos;&gt;wrong&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c8463a&apos;&gt;falsch&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="161" />
        <source>&lt;span style=&apos;color:#2a965a&apos;&gt;correct&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#2a965a&apos;&gt;richtig&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="163" />
        <source>&lt;h4&gt;Predictor&apos;s account&lt;/h4&gt;&lt;pre style=&apos;white-space:pre-wrap&apos;&gt;%1&lt;/pre&gt;</source>
        <translation>&lt;h4&gt;Begründung des Prädiktors&lt;/h4&gt;&lt;pre style=&apos;white-space:pre-wrap&apos;&gt;%1&lt;/pre&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="165" />
        <source>&lt;p&gt;&lt;i&gt;Loading knowledge-graph evidence…&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Evidenz aus dem Wissensgraphen wird geladen…&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="175" />
        <source>&lt;p&gt;No evidence available: %1&lt;/p&gt;</source>
        <translation>&lt;p&gt;Keine Evidenz verfügbar: %1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/predictions_view.cpp" line="183" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::ReliabilityModel</name>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="68" />
        <source>Curve</source>
        <translation>Kurve</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="69" />
        <source>Bin</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="70" />
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="71" />
        <source>Mean P(DE)</source>
        <translation>Mittlere P(DE)</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="72" />
        <source>Observed DE</source>
        <translation>Beobachtet DE</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="73" />
        <source>95% CI low</source>
        <translation>95-%-KI unten</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_model.cpp" line="74" />
        <source>95% CI high</source>
        <translation>95-%-KI oben</translation>
    </message>
</context>
<context>
    <name>ps::gui::ReliabilityView</name>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="46" />
        <source>Observed fraction DE</source>
        <translation>Beobachteter DE-Anteil</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="47" />
        <source>Mean predicted probability of DE</source>
        <translation>Mittlere vorhergesagte DE-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="48" />
        <source>Pairs</source>
        <translation>Paare</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="65" />
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="66" />
        <source>Export bins CSV…</source>
        <translation>Klassen als CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="106" />
        <source>Perfect calibration</source>
        <translation>Perfekte Kalibrierung</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="135" />
        <source>%1 — ECE %2, Brier %3 (n = %4)</source>
        <translation>%1 — ECE %2, Brier %3 (n = %4)</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="152" />
        <source>%1: ECE %2, Brier %3</source>
        <translation>%1: ECE %2, Brier %3</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="160" />
        <source>Open a run from the Runs tab (select several to compare them).</source>
        <translation>Einen Lauf im Reiter Läufe öffnen (mehrere zum Vergleichen auswählen).</translation>
    </message>
    <message>
        <location filename="../widgets/reliability_view.cpp" line="171" />
        <location filename="../widgets/reliability_view.cpp" line="179" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::RunsModel</name>
    <message>
        <location filename="../widgets/runs_model.cpp" line="148" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="149" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="150" />
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="151" />
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="152" />
        <source>Cell line</source>
        <translation>Zelllinie</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="153" />
        <source>AUROC/gene</source>
        <translation>AUROC/Gen</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="154" />
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="155" />
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="156" />
        <source>Brier</source>
        <translation>Brier</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="157" />
        <source>N test</source>
        <translation>N Test</translation>
    </message>
    <message>
        <location filename="../widgets/runs_model.cpp" line="158" />
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Schlagwörter</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>ps::gui::RunsView</name>
    <message>
        <location filename="../widgets/runs_view.cpp" line="43" />
        <source>Filter runs (name, kind, cell line, status)…</source>
        <translation>Läufe filtern (Name, Art, Zelllinie, Status)…</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="47" />
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="48" />
        <source>Open the selected run (Enter)</source>
        <translation>Ausgewählten Lauf öffnen (Eingabe)</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="49" />
        <source>&amp;Compare</source>
        <translation>&amp;Vergleichen</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="50" />
        <source>Compare the selected runs (two or more): reliability overlaid, metrics with CIs and paired differences against a baseline</source>
        <translation>Die ausgewählten Läufe vergleichen (zwei oder mehr): Zuverlässigkeit überlagert, Metriken mit KI und gepaarte Differenzen gegen eine Referenz</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="51" />
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="52" />
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="82" />
        <source>&lt;h3&gt;No runs yet&lt;/h3&gt;&lt;p&gt;Start a KNN-KG evaluation (Ctrl+N), or run &lt;code&gt;perturbscope-cli knn --cell-line k562&lt;/code&gt; in a terminal: its runs appear here by themselves.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Noch keine Läufe&lt;/h3&gt;&lt;p&gt;Starten Sie eine KNN-KG-Auswertung (Strg+N) oder führen Sie &lt;code&gt;perturbscope-cli knn --cell-line k562&lt;/code&gt; in einem Terminal aus: Seine Läufe erscheinen hier von selbst.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/runs_view.cpp" line="132" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/runs_view.cpp" line="142" />
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n Lauf</numerusform>
            <numerusform>%n Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>&amp;Umbenennen…</translation>
    </message>
    <message>
        <source>&amp;Tags…</source>
        <translation>&amp;Schlagwörter…</translation>
    </message>
    <message>
        <source>&amp;Notes…</source>
        <translation>&amp;Notizen…</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Configuration columns</source>
        <translation>Konfigurationsspalten</translation>
    </message>
    <message>
        <source>(no configuration values)</source>
        <translation>(keine Konfigurationswerte)</translation>
    </message>
    <message>
        <source>Add a column by JSON pointer…</source>
        <translation>Spalte per JSON-Pointer hinzufügen…</translation>
    </message>
    <message>
        <source>Configuration column</source>
        <translation>Konfigurationsspalte</translation>
    </message>
    <message>
        <source>JSON pointer into the run configuration (e.g. /k, /lora/r):</source>
        <translation>JSON-Pointer in die Konfiguration des Laufs (z. B. /k, /lora/r):</translation>
    </message>
    <message>
        <source>A JSON pointer starts with &apos;/&apos;: %1</source>
        <translation>Ein JSON-Pointer beginnt mit „/“: %1</translation>
    </message>
    <message>
        <source>Rename run %1</source>
        <translation>Lauf %1 umbenennen</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Rename failed</source>
        <translation>Umbenennen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Tags of run %1</source>
        <translation>Schlagwörter von Lauf %1</translation>
    </message>
    <message>
        <source>Tags, separated by commas:</source>
        <translation>Schlagwörter, durch Kommas getrennt:</translation>
    </message>
    <message>
        <source>Tags not saved</source>
        <translation>Schlagwörter nicht gespeichert</translation>
    </message>
    <message>
        <source>Notes on run %1</source>
        <translation>Notizen zu Lauf %1</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>Notizen:</translation>
    </message>
    <message>
        <source>Notes not saved</source>
        <translation>Notizen nicht gespeichert</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Läufe löschen</translation>
    </message>
    <message>
        <source>Running runs are kept: %1</source>
        <translation>Laufende Läufe bleiben erhalten: %1</translation>
    </message>
    <message>
        <source>Delete files</source>
        <translation>Dateien löschen</translation>
    </message>
    <message>
        <source>Also delete the run folders (checkpoints, adapters, logs)?
%1</source>
        <translation>Auch die Ordner der Läufe löschen (Checkpoints, Adapter, Logs)?
%1</translation>
    </message>
    <message>
        <source>Could not delete:
%1</source>
        <translation>Konnte nicht gelöscht werden:
%1</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n run(s) (%1) from the store, with their metrics, predictions and traces?</source>
        <translation>
            <numerusform>%n Lauf (%1) mit Metriken, Vorhersagen und Traces aus dem Speicher löschen?</numerusform>
            <numerusform>%n Läufe (%1) mit Metriken, Vorhersagen und Traces aus dem Speicher löschen?</numerusform>
        </translation>
    </message>
    <message>
        <source>Show c&amp;urves</source>
        <translation>&amp;Kurven zeigen</translation>
    </message>
</context>
<context>
    <name>ps::gui::ScreenshotDriver</name>
    <message>
        <location filename="../app/gui/screenshots.cpp" line="28" />
        <source>cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../app/gui/screenshots.cpp" line="35" />
        <source>timed out</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <location filename="../app/gui/screenshots.cpp" line="62" />
        <source>cannot start the default evaluation</source>
        <translation>die Standardauswertung kann nicht gestartet werden</translation>
    </message>
    <message>
        <location filename="../app/gui/screenshots.cpp" line="137" />
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
</context>
<context>
    <name>ps::gui::TtcModel</name>
    <message>
        <source>%1, selective</source>
        <translation>%1, selektiv</translation>
    </message>
    <message>
        <source>%1, uniform</source>
        <translation>%1, einheitlich</translation>
    </message>
    <message>
        <source>Operating point</source>
        <translation>Arbeitspunkt</translation>
    </message>
    <message>
        <source>On the Pareto frontier (F1 against tokens)</source>
        <translation>Auf der Pareto-Front (F1 gegen Tokens)</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strategie</translation>
    </message>
    <message>
        <source>tau</source>
        <translation>tau</translation>
    </message>
    <message>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <source>F1 [95% CI]</source>
        <translation>F1 [95-%-KI]</translation>
    </message>
    <message>
        <source>Brier</source>
        <translation>Brier</translation>
    </message>
    <message>
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <source>Tokens/item</source>
        <translation>Tokens/Item</translation>
    </message>
</context>
<context>
    <name>ps::gui::TtcView</name>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Brier score</source>
        <translation>Brier-Score</translation>
    </message>
    <message>
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <source>Click a point to open its predictions in the Traces tab</source>
        <translation>Klick auf einen Punkt öffnet seine Vorhersagen im Reiter Traces</translation>
    </message>
    <message>
        <source>Double-click a row to open its predictions in the Traces tab</source>
        <translation>Doppelklick auf eine Zeile öffnet ihre Vorhersagen im Reiter Traces</translation>
    </message>
    <message>
        <source>&lt;p&gt;No test-time-compute run is open.&lt;/p&gt;&lt;p&gt;Run one with&lt;br&gt;&lt;code&gt;perturbscope-cli ttc --run ID --strategies greedy,sc,bf --tau-sweep&lt;/code&gt;&lt;br&gt;and choose it above.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Kein Test-Time-Compute-Lauf geöffnet.&lt;/p&gt;&lt;p&gt;Starten Sie einen mit&lt;br&gt;&lt;code&gt;perturbscope-cli ttc --run ID --strategies greedy,sc,bf --tau-sweep&lt;/code&gt;&lt;br&gt;und wählen Sie ihn oben aus.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <source>Run %1 is not in the store.</source>
        <translation>Lauf %1 ist nicht im Speicher.</translation>
    </message>
    <message>
        <source>Run %1 has no scored points yet (still running, or failed).</source>
        <translation>Lauf %1 hat noch keine bewerteten Punkte (läuft noch oder ist fehlgeschlagen).</translation>
    </message>
    <message>
        <source>Cannot read the run: %1</source>
        <translation>Lauf kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 selective at tau %2</source>
        <translation>%1 selektiv bei tau %2</translation>
    </message>
    <message>
        <source>%1 uniform</source>
        <translation>%1 einheitlich</translation>
    </message>
    <message>
        <source>Operating point (ringed): %1, the fewest tokens per item with F1 within the 95% CI of the best.</source>
        <translation>Arbeitspunkt (umkreist): %1, die wenigsten Tokens je Item mit einem F1 im 95-%-KI des besten.</translation>
    </message>
    <message>
        <source>Operating point (ringed): %1, the run&apos;s stored predictions.</source>
        <translation>Arbeitspunkt (umkreist): %1, die gespeicherten Vorhersagen des Laufs.</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::ParetoPlot</name>
    <message>
        <source>Mean generated tokens per item</source>
        <translation>Mittlere erzeugte Tokens je Item</translation>
    </message>
    <message>
        <source>F1 (P(DE) ≥ 0.5)</source>
        <translation>F1 (P(DE) ≥ 0,5)</translation>
    </message>
    <message>
        <source>Brier score</source>
        <translation>Brier-Score</translation>
    </message>
    <message>
        <source>ECE (10 bins)</source>
        <translation>ECE (10 Klassen)</translation>
    </message>
    <message>
        <source>%1, selective (tau sweep)</source>
        <translation>%1, selektiv (tau-Sweep)</translation>
    </message>
    <message>
        <source>%1, uniform</source>
        <translation>%1, einheitlich</translation>
    </message>
    <message>
        <source>Pareto frontier</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <source>Operating point</source>
        <translation>Arbeitspunkt</translation>
    </message>
</context>
<context>
    <name>ps::gui::TracesView</name>
    <message>
        <source>%1 selective at tau %2</source>
        <translation>%1 selektiv bei tau %2</translation>
    </message>
    <message>
        <source>%1 uniform</source>
        <translation>%1 einheitlich</translation>
    </message>
    <message>
        <source>TTC point %1: the store keeps another strategy&apos;s predictions of this run; all items shown, with that strategy&apos;s rounds.</source>
        <translation>TTC-Punkt %1: Der Speicher enthält die Vorhersagen einer anderen Strategie dieses Laufs; alle Items werden mit deren Runden gezeigt.</translation>
    </message>
    <message>
        <source>TTC point %1: the items whose greedy confidence is below %2 (given extra compute); the others keep their greedy answer (round 1).</source>
        <translation>TTC-Punkt %1: die Items mit Greedy-Konfidenz unter %2 (mit zusätzlicher Rechenzeit); die übrigen behalten ihre Greedy-Antwort (Runde 1).</translation>
    </message>
    <message>
        <source>TTC point %1: all items.</source>
        <translation>TTC-Punkt %1: alle Items.</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="46" />
        <source>All items</source>
        <translation>Alle Items</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="47" />
        <source>Confident and wrong</source>
        <translation>Sicher und falsch</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="48" />
        <source>Parse failures</source>
        <translation>Parse-Fehler</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="49" />
        <source>Changed by TTC</source>
        <translation>Durch TTC geändert</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="52" />
        <source>Gene or cell line…</source>
        <translation>Gen oder Zelllinie…</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="69" />
        <source>Select an item to see its prompt, reasoning and answer</source>
        <translation>Ein Item auswählen, um Prompt, Begründung und Antwort zu sehen</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="75" />
        <source>step </source>
        <translation>Schritt </translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="79" />
        <source>Show</source>
        <translation>Zeigen</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="98" />
        <location filename="../widgets/traces_view.cpp" line="305" />
        <source>Item</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="99" />
        <source>GRPO rollouts</source>
        <translation>GRPO-Rollouts</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="110" />
        <source>%1 of %2 items</source>
        <translation>%1 von %2 Items</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="199" />
        <source>Cannot read the run: %1</source>
        <translation>Lauf kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="206" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="234" />
        <source>Parsed answer</source>
        <translation>Geparste Antwort</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="236" />
        <source>No answer parsed: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Keine Antwort geparst: &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="238" />
        <source>Predicted: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Vorhergesagt: &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="238" />
        <location filename="../widgets/traces_view.cpp" line="241" />
        <location filename="../widgets/traces_view.cpp" line="254" />
        <location filename="../widgets/traces_view.cpp" line="273" />
        <location filename="../widgets/traces_view.cpp" line="316" />
        <source>DE</source>
        <translation>DE</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="238" />
        <location filename="../widgets/traces_view.cpp" line="241" />
        <location filename="../widgets/traces_view.cpp" line="254" />
        <location filename="../widgets/traces_view.cpp" line="273" />
        <location filename="../widgets/traces_view.cpp" line="316" />
        <source>not DE</source>
        <translation>nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="240" />
        <source>P(DE): %1</source>
        <translation>P(DE): %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="240" />
        <location filename="../widgets/traces_view.cpp" line="253" />
        <source>undefined</source>
        <translation>undefiniert</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="241" />
        <source>Label: %1</source>
        <translation>Label: %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="241" />
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="242" />
        <source>Tokens: %1</source>
        <translation>Tokens: %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="245" />
        <source>Finish reason: %1</source>
        <translation>Abschlussgrund: %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="251" />
        <source>KNN-KG (run %1): P(DE) %2, predicts &lt;b&gt;%3&lt;/b&gt;</source>
        <translation>KNN-KG (Lauf %1): P(DE) %2, sagt &lt;b&gt;%3&lt;/b&gt; vorher</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="256" />
        <source>No KNN-KG run in the store predicted this pair</source>
        <translation>Kein KNN-KG-Lauf im Speicher hat dieses Paar vorhergesagt</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="262" />
        <source>Thinking (&amp;lt;think&amp;gt;, never closed)</source>
        <translation>Denkprozess (&amp;lt;think&amp;gt;, nie geschlossen)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="262" />
        <source>Thinking (&amp;lt;think&amp;gt;)</source>
        <translation>Denkprozess (&amp;lt;think&amp;gt;)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="265" />
        <source>Answer text</source>
        <translation>Antworttext</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="265" />
        <source>(none)</source>
        <translation>(keiner)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="270" />
        <source>TTC round %1%2 — %3 tokens</source>
        <translation>TTC-Runde %1%2 — %3 Tokens</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="273" />
        <source>unparsed (%1)</source>
        <translation>nicht geparst (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="274" />
        <source>confidence %1</source>
        <translation>Konfidenz %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="275" />
        <source>Completion %1</source>
        <translation>Vervollständigung %1</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="275" />
        <source>%1 tokens</source>
        <translation>%1 Tokens</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="282" />
        <source>Prompt (with its KG evidence)</source>
        <translation>Prompt (mit seiner KG-Evidenz)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="283" />
        <source>(not stored: a %1 run)</source>
        <translation>(nicht gespeichert: ein %1-Lauf)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="295" />
        <source>No rollouts stored (not a GRPO run)</source>
        <translation>Keine Rollouts gespeichert (kein GRPO-Lauf)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="296" />
        <source>%1 completions sampled at this step</source>
        <translation>%1 Completions in diesem Schritt gezogen</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="305" />
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="305" />
        <source>Reward</source>
        <translation>Reward</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="305" />
        <source>Advantage</source>
        <translation>Advantage</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="307" />
        <source>Completion</source>
        <translation>Vervollständigung</translation>
    </message>
    <message>
        <location filename="../widgets/traces_view.cpp" line="313" />
        <source>prompt %1 · #%2</source>
        <translation>Prompt %1 · #%2</translation>
    </message>
</context>
<context>
    <name>ps::gui::TrainLauncher</name>
    <message>
        <source>SFT</source>
        <translation>SFT</translation>
    </message>
    <message>
        <source>GRPO</source>
        <translation>GRPO</translation>
    </message>
    <message>
        <source>Pipeline (SFT → GRPO arms)</source>
        <translation>Pipeline (SFT → GRPO-Arme)</translation>
    </message>
    <message>
        <source>Sweep (GRPO arms over a grid of knobs)</source>
        <translation>Sweep (GRPO-Arme über ein Raster von Einstellungen)</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <source>Test-time compute (TTC)</source>
        <translation>Rechenaufwand zur Testzeit (TTC)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Validate</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Resume run</source>
        <translation>Lauf fortsetzen</translation>
    </message>
    <message>
        <source>A cancelled or interrupted run of this kind; it continues from its last checkpoint</source>
        <translation>Ein abgebrochener oder unterbrochener Lauf dieser Art; er wird ab seinem letzten Checkpoint fortgesetzt</translation>
    </message>
    <message>
        <source>perturbscope-cli %1 has no --resume: resume its SFT or GRPO runs one by one (choose SFT or GRPO above), or start it again</source>
        <translation>perturbscope-cli %1 hat kein --resume: Setzen Sie seine SFT- oder GRPO-Läufe einzeln fort (oben SFT oder GRPO wählen) oder starten Sie ihn neu</translation>
    </message>
    <message>
        <source>perturbscope-cli %1 has no --resume: it keeps no checkpoints; start it again</source>
        <translation>perturbscope-cli %1 hat kein --resume: Es legt keine Checkpoints an; starten Sie den Lauf neu</translation>
    </message>
    <message>
        <source>The job&apos;s output appears here. Jobs run as perturbscope-cli processes and keep running when this window closes; their runs update in the Runs and Curves tabs.</source>
        <translation>Hier erscheint die Ausgabe des Auftrags. Aufträge laufen als perturbscope-cli-Prozesse und laufen weiter, wenn dieses Fenster geschlossen wird; ihre Läufe werden in den Reitern Läufe und Kurven aktualisiert.</translation>
    </message>
    <message>
        <source>%1: not a JSON object</source>
        <translation>%1: kein JSON-Objekt</translation>
    </message>
    <message>
        <source>No %1 preset found in configs/ (set PERTURBSCOPE_CONFIGS)</source>
        <translation>Keine Vorlage für %1 in configs/ gefunden (PERTURBSCOPE_CONFIGS setzen)</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>Policy</source>
        <translation>Policy (Modell)</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Items</translation>
    </message>
    <message>
        <source>Strategies</source>
        <translation>Strategien</translation>
    </message>
    <message>
        <source>Budget forcing</source>
        <translation>Budget Forcing</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Generierung</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistik</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>a finished SFT or GRPO run (or give model)</source>
        <translation>ein abgeschlossener SFT- oder GRPO-Lauf (oder model angeben)</translation>
    </message>
    <message>
        <source>comma-separated</source>
        <translation>kommagetrennt</translation>
    </message>
    <message>
        <source>comma-separated; empty: the default</source>
        <translation>kommagetrennt; leer: Standardwert</translation>
    </message>
    <message>
        <source>empty: the default</source>
        <translation>leer: Standardwert</translation>
    </message>
    <message>
        <source>%1 (preset: %2)</source>
        <translation>%1 (Vorlage: %2)</translation>
    </message>
    <message>
        <source>%1 (--%2; preset: %3)</source>
        <translation>%1 (--%2; Vorlage: %3)</translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>The configuration is valid.</source>
        <translation>Die Konfiguration ist gültig.</translation>
    </message>
    <message>
        <source>validation failed (exit %1)</source>
        <translation>Prüfung fehlgeschlagen (Exit-Code %1)</translation>
    </message>
    <message>
        <source>cannot run %1: %2</source>
        <translation>%1 kann nicht ausgeführt werden: %2</translation>
    </message>
    <message>
        <source>perturbscope-cli not found (set PERTURBSCOPE_CLI)</source>
        <translation>perturbscope-cli nicht gefunden (PERTURBSCOPE_CLI setzen)</translation>
    </message>
    <message>
        <source>A job started here is still running; cancel it first</source>
        <translation>Ein hier gestarteter Auftrag läuft noch; brechen Sie ihn zuerst ab</translation>
    </message>
    <message>
        <source>Started %1 (pid %2)</source>
        <translation>Gestartet: %1 (PID %2)</translation>
    </message>
    <message>
        <source>Job ended: %1</source>
        <translation>Auftrag beendet: %1</translation>
    </message>
    <message>
        <source>Following run %1 (pid %2), started earlier; Cancel stops it</source>
        <translation>Verfolge den früher gestarteten Lauf %1 (PID %2); Abbrechen beendet ihn</translation>
    </message>
    <message>
        <source>Cancelling… (the run is recorded as cancelled and can be resumed)</source>
        <translation>Wird abgebrochen … (der Lauf wird als abgebrochen gespeichert und kann fortgesetzt werden)</translation>
    </message>
    <message>
        <source>Cancelling… (the run is recorded as cancelled)</source>
        <translation>Wird abgebrochen … (der Lauf wird als abgebrochen gespeichert)</translation>
    </message>
</context>
<context>
    <name>ps::gui::CurvesView</name>
    <message>
        <location filename="../widgets/curves_view.cpp" line="48" />
        <source>Search metrics…</source>
        <translation>Metriken suchen…</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="55" />
        <source>Exponential moving average weight; the raw curve stays faint behind the smoothed one</source>
        <translation>Gewicht des exponentiellen gleitenden Mittels; die Rohkurve bleibt blass hinter der geglätteten sichtbar</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="57" />
        <source>Log y axis</source>
        <translation>Logarithmische y-Achse</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="59" />
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="60" />
        <source>Wall time (s)</source>
        <translation>Laufzeit (s)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="76" />
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="78" />
        <source>Metrics</source>
        <translation>Metriken</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="85" />
        <source>Smoothing</source>
        <translation>Glättung</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="86" />
        <source>X axis</source>
        <translation>x-Achse</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="175" />
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="219" />
        <source>%1 (with its confidence interval as a band)</source>
        <translation>%1 (mit Konfidenzintervall als Band)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="296" />
        <source>Check a run to see its curves</source>
        <translation>Einen Lauf ankreuzen, um seine Kurven zu sehen</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="297" />
        <source>Check metrics on the left: one panel each</source>
        <translation>Links Metriken ankreuzen: je ein Diagramm</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="323" />
        <source>wall time (s)</source>
        <translation>Laufzeit (s)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="323" />
        <source>step (no step_time logged)</source>
        <translation>Schritt (keine step_time protokolliert)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="323" />
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="350" />
        <source>%1 CI</source>
        <translation>%1 KI</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="433" />
        <source>%1 @ %2: %3 (raw %4)</source>
        <translation>%1 @ %2: %3 (roh %4)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_view.cpp" line="457" />
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ps::gui::TracesModel</name>
    <message>
        <location filename="../widgets/traces_model.cpp" line="133" />
        <source>DE</source>
        <translation>DE</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="133" />
        <source>not DE</source>
        <translation>nicht DE</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="140" />
        <source>✓</source>
        <translation>✓</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="140" />
        <source>✗</source>
        <translation>✗</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="148" />
        <source>%1 (changed)</source>
        <translation>%1 (geändert)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="156" />
        <source>Cell line</source>
        <translation>Zelllinie</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="157" />
        <source>Perturber</source>
        <translation>Perturbator</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="158" />
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="159" />
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="160" />
        <source>P(DE)</source>
        <translation>P(DE)</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="161" />
        <source>Correct</source>
        <translation>Richtig</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="162" />
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="163" />
        <source>Parse failure</source>
        <translation>Parse-Fehler</translation>
    </message>
    <message>
        <location filename="../widgets/traces_model.cpp" line="164" />
        <source>TTC rounds</source>
        <translation>TTC-Runden</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>no &lt;/think&gt;</source>
        <translation>kein &lt;/think&gt;</translation>
    </message>
    <message>
        <source>no JSON answer</source>
        <translation>keine JSON-Antwort</translation>
    </message>
    <message>
        <source>invalid answer field</source>
        <translation>ungültiges Antwortfeld</translation>
    </message>
    <message>
        <source>confidence out of range</source>
        <translation>Konfidenz außerhalb des Bereichs</translation>
    </message>
    <message>
        <source>truncated</source>
        <translation>abgeschnitten</translation>
    </message>
    <message>
        <source>greedy decoding</source>
        <translation>Greedy-Decodierung</translation>
    </message>
    <message>
        <source>sampled</source>
        <translation>Stichprobe</translation>
    </message>
    <message>
        <source>continued after the wait cue</source>
        <translation>nach dem „Wait“-Hinweis fortgesetzt</translation>
    </message>
    <message>
        <source>forced answer</source>
        <translation>erzwungene Antwort</translation>
    </message>
</context>
<context>
    <name>ps::gui::TrainJob</name>
    <message>
        <location filename="../widgets/train_job.cpp" line="65" />
        <source>perturbscope-cli not found (set PERTURBSCOPE_CLI)</source>
        <translation>perturbscope-cli nicht gefunden (PERTURBSCOPE_CLI setzen)</translation>
    </message>
    <message>
        <location filename="../widgets/train_job.cpp" line="80" />
        <source>cannot start %1: %2</source>
        <translation>%1 kann nicht gestartet werden: %2</translation>
    </message>
</context>
<context>
    <name>ps::gui::TrainingCurves</name>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="16" />
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="17" />
        <source>Mean reward</source>
        <translation>Mittlerer Reward</translation>
    </message>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="18" />
        <source>Validation F1</source>
        <translation>Validierungs-F1</translation>
    </message>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="19" />
        <source>Validation ECE</source>
        <translation>Validierungs-ECE</translation>
    </message>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="80" />
        <source>(not logged)</source>
        <translation>(nicht protokolliert)</translation>
    </message>
    <message>
        <location filename="../widgets/curves_plot.cpp" line="82" />
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
</context>
</TS>
