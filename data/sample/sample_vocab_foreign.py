"""French, German and Spanish paragraphs of the sample corpus (for language identification) and their documents."""

from __future__ import annotations

from collections.abc import Sequence

# Foreign-language paragraphs, each a few sentences on one topic (written for this project).
FOREIGN: dict[str, list[str]] = {
    "fr": [
        "Le marché du samedi matin attire de plus en plus de familles du quartier. Les producteurs locaux "
        "proposent "
        "des fruits de saison, du fromage de chèvre et du pain cuit au feu de bois. Cette année, la mairie "
        "a décidé "
        "de prolonger les horaires d'ouverture jusqu'à quatorze heures.",
        "Pour réussir une soupe à l'oignon, il faut surtout prendre son temps. Faites revenir les oignons à "
        "feu doux "
        "pendant au moins quarante minutes, en remuant de temps en temps. Ajoutez ensuite le bouillon, "
        "laissez "
        "mijoter vingt minutes, puis servez avec des croûtons et du fromage râpé.",
        "J'ai acheté ce vélo électrique il y a trois mois et je l'utilise tous les jours pour aller au "
        "travail. La "
        "batterie tient facilement une semaine, mais la selle n'est pas très confortable sur les longs "
        "trajets. Le "
        "service client a répondu rapidement à ma question sur l'entretien des freins.",
        "La bibliothèque municipale organise des ateliers d'écriture pour les enfants pendant les vacances "
        "scolaires. Les inscriptions sont gratuites, mais le nombre de places est limité à quinze "
        "participants par "
        "séance. Les parents peuvent réserver une place à l'accueil ou par téléphone.",
        "Bonjour à tous, mes tomates ont des feuilles qui jaunissent depuis une semaine. Je les arrose tous "
        "les soirs "
        "et elles sont en plein soleil sur le balcon. Est-ce que quelqu'un a déjà eu ce problème ? Merci "
        "d'avance "
        "pour vos conseils.",
        "Les fortes pluies de la nuit dernière ont provoqué des retards importants sur plusieurs lignes de "
        "train "
        "régionales. La circulation a repris progressivement en fin de matinée, selon la compagnie "
        "ferroviaire. Les "
        "voyageurs sont invités à consulter les horaires avant de partir, car des perturbations restent "
        "possibles "
        "jusqu'à demain soir.",
    ],
    "de": [
        "Der neue Radweg entlang des Flusses wurde am Wochenende offiziell eröffnet. Viele Anwohner hatten "
        "sich seit "
        "Jahren eine sichere Verbindung zwischen der Altstadt und dem Bahnhof gewünscht. Die Bauarbeiten "
        "dauerten "
        "länger als geplant, weil im Frühjahr zwei Brücken saniert werden mussten.",
        "Ich habe die Kaffeemühle seit zwei Monaten im Einsatz und bin insgesamt sehr zufrieden. Das "
        "Mahlwerk "
        "arbeitet gleichmäßig, allerdings ist das Gerät beim Mahlen ziemlich laut. Die Reinigung geht "
        "schnell, weil "
        "sich der Behälter ohne Werkzeug abnehmen lässt.",
        "Für einen guten Hefeteig sollten alle Zutaten Zimmertemperatur haben. Mehl, Zucker und Salz in "
        "einer "
        "Schüssel mischen, dann die aufgelöste Hefe und die warme Milch dazugeben. Den Teig anschließend "
        "abgedeckt "
        "an einem warmen Ort etwa eine Stunde gehen lassen.",
        "Wer seine Zimmerpflanzen umtopfen möchte, sollte dies am besten im Frühling tun. Ein etwas "
        "größerer Topf mit "
        "frischer Erde gibt den Wurzeln genug Platz zum Wachsen. Nach dem Umtopfen die Pflanze gut angießen "
        "und "
        "einige Tage nicht in die pralle Sonne stellen.",
        "Die Stadtbibliothek öffnet ab dem nächsten Monat auch sonntags ihre Lesesäle. Nach Angaben der "
        "Verwaltung "
        "werden dafür zusätzliche Mitarbeiter eingestellt. Besonders Studierende und Familien hatten längere "
        "Öffnungszeiten gefordert, wie eine Umfrage im vergangenen Herbst gezeigt hatte.",
        "Unser Urlaub an der Küste war erholsam, auch wenn das Wetter nicht immer mitgespielt hat. Die "
        "Kinder haben "
        "jeden Tag Muscheln gesammelt und Sandburgen gebaut. Für das nächste Jahr wollen wir früher buchen, "
        "weil die "
        "Ferienwohnungen schnell ausgebucht waren.",
    ],
    "es": [
        "El ayuntamiento aprobó ayer un nuevo plan para mejorar el transporte público en los barrios del "
        "norte. "
        "Según el concejal responsable, las primeras líneas de autobús entrarán en servicio el próximo "
        "otoño. Muchos "
        "vecinos celebran la noticia, aunque algunos critican el retraso de las obras.",
        "Compré esta mochila para mis viajes de trabajo y la verdad es que estoy muy contento. Tiene muchos "
        "bolsillos, el tejido parece resistente y cabe un portátil de quince pulgadas sin problema. Lo "
        "único que "
        "cambiaría son las cremalleras, que a veces se atascan.",
        "Para hacer una buena tortilla de patatas, corta las patatas en láminas finas y fríelas a fuego "
        "lento con un "
        "poco de cebolla. Bate los huevos, mézclalos con las patatas y deja reposar la mezcla unos minutos. "
        "Después "
        "cuájala en la sartén por los dos lados hasta que quede dorada.",
        "La biblioteca del barrio ofrece talleres gratuitos de informática para personas mayores. Las "
        "clases se "
        "imparten dos veces por semana y no hace falta tener experiencia previa. Al final del curso, los "
        "participantes sabrán enviar correos, hacer videollamadas y pagar facturas por internet.",
        "Hola a todos, las hojas de mi planta se están volviendo amarillas y no sé por qué. La riego cada "
        "dos días y "
        "está cerca de una ventana con bastante luz. ¿Alguien sabe qué puede estar pasando? Gracias de "
        "antemano.",
        "Pasamos una semana en la costa y disfrutamos mucho de la comida y de la tranquilidad del pueblo. "
        "Cada mañana "
        "caminábamos por la playa antes de que llegara el calor. El último día visitamos el mercado y "
        "compramos "
        "aceite de oliva y queso para la familia.",
    ],
}
FOREIGN_TITLES = {
    "fr": ["Nouvelles du quartier", "Notre avis", "Carnet de cuisine"],
    "de": ["Aus der Stadt", "Erfahrungsbericht", "Tipps für zu Hause"],
    "es": ["Noticias del barrio", "Mi opinión", "Recetas de casa"],
}


def foreign_doc(lang: str, paragraphs: Sequence[int]) -> str:
    """A document in ``lang`` made of the given paragraphs of ``FOREIGN[lang]`` (disjoint per document)."""
    title = FOREIGN_TITLES[lang][paragraphs[0] % len(FOREIGN_TITLES[lang])]
    return title + "\n\n" + "\n\n".join(FOREIGN[lang][i] for i in paragraphs)
