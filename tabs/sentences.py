"""Spanish for the English sentences the playground writes (its ValueErrors, a few notes).

    "The {what} must be a whole number.": "{what} debe ser un número entero.",

The playground stays English and Gradio-free; ``tabs.i18n.sentence`` matches a whole message
against the English templates below (``{name}`` matches any text) and fills the Spanish one with
the same values, translating a value found in ``TERMS`` (the nouns the validators name). To add
one: copy the English sentence of the new ``raise ValueError(...)``, put ``{name}`` where it
formats a value, and write the Spanish. ``tests/test_i18n.py`` scans every ``raise ValueError`` in
playground/ and tabs/ and fails when a sentence has no template here (unless it is listed there
as internal: it never reaches a page).
"""
from __future__ import annotations

SENTENCES: dict[str, str] = {
    # playground/contract.py: the validators every modality uses
    "The {what} must be a whole number.": "El valor «{what}» debe ser un número entero.",
    "The {what} must be a number.": "El valor «{what}» debe ser un número.",
    "The {what} must be above {lo} and at most {hi}.": "El valor «{what}» debe ser mayor que {lo} y como mucho {hi}.",
    "The {what} must be above {lo}.": "El valor «{what}» debe ser mayor que {lo}.",
    "The {what} must be between {lo} and {hi}.": "El valor «{what}» debe estar entre {lo} y {hi}.",
    "The {what} must be at least {lo}.": "El valor «{what}» debe ser al menos {lo}.",
    "The {what} must be at most {hi}.": "El valor «{what}» debe ser como mucho {hi}.",
    "Unknown {what} '{value}': use one of {options}.": "Valor desconocido para «{what}»: '{value}'; usa uno de estos: "
                                                        "{options}.",
    "The {what} must be text.": "El valor «{what}» debe ser texto.",
    "The {what} is {n} characters long; the limit is {limit}.": "El valor «{what}» tiene {n} caracteres; el límite "
                                                                "es {limit}.",
    "The {what} is empty.": "El valor «{what}» está vacío.",
    "The {what} setting must be true or false.": "El ajuste «{what}» debe ser verdadero o falso.",
    "The {what} must be on or off (true or false).": "El valor «{what}» debe estar activado o desactivado (true o "
                                                     "false).",
    # checkpoints and models
    "No model found in {path} (missing {file}). Train it with: {command}": "No hay ningún modelo en {path} (falta "
                                                                            "{file}). Entrénalo con: {command}",
    "No model found in {path} (missing {file}). Train it again with python -m playground.train.":
        "No hay ningún modelo en {path} (falta {file}). Vuelve a entrenarlo con python -m playground.train.",
    "The checkpoint in {path} could not be read ({file} is not valid JSON). Train it with: {command}":
        "No se pudo leer el checkpoint de {path} ({file} no es JSON válido). Entrénalo con: {command}",
    "The checkpoint in {path} could not be read ({file} is not valid JSON). Train it again with python -m "
    "playground.train.": "No se pudo leer el checkpoint de {path} ({file} no es JSON válido). Vuelve a entrenarlo "
                         "con python -m playground.train.",
    "The checkpoint in {path} could not be read ({file} is not an object). Train it with: {command}":
        "No se pudo leer el checkpoint de {path} ({file} no es un objeto). Entrénalo con: {command}",
    "The checkpoint in {path} could not be read ({file} is not an object). Train it again with python -m "
    "playground.train.": "No se pudo leer el checkpoint de {path} ({file} no es un objeto). Vuelve a entrenarlo con "
                         "python -m playground.train.",
    # (the same three with a hint this table does not know: the hint stays English)
    "No model found in {path} (missing {file}).{how}": "No hay ningún modelo en {path} (falta {file}).{how}",
    "The checkpoint in {path} could not be read ({file} is not valid JSON).{how}": "No se pudo leer el checkpoint "
                                                                                   "de {path} ({file} no es JSON "
                                                                                   "válido).{how}",
    "The checkpoint in {path} could not be read ({file} is not an object).{how}": "No se pudo leer el checkpoint de "
                                                                                  "{path} ({file} no es un "
                                                                                  "objeto).{how}",
    "No weights found in {path} (missing {file}).": "No hay pesos en {path} (falta {file}).",
    "The checkpoint in {path} could not be read ({error}); train it again with python -m playground.train.":
        "No se pudo leer el checkpoint de {path} ({error}); vuelve a entrenarlo con python -m playground.train.",
    "No image model found in {path}. Train it with: {command}": "No hay ningún modelo de imágenes en {path}. "
                                                                "Entrénalo con: {command}",
    "{path} holds a {kind}, not an image generator ({hint}).": "{path} contiene un {kind}, no un generador de "
                                                               "imágenes ({hint}).",
    "The checkpoint in {path} gives unusable images ({error}); train it again.": "El checkpoint de {path} da "
                                                                                 "imágenes inservibles ({error}); "
                                                                                 "vuelve a entrenarlo.",
    "Unknown image model '{name}': choose one of {options}.": "Modelo de imágenes desconocido '{name}': elige uno de "
                                                              "estos: {options}.",
    "{name} is not a music model (model_type '{kind}'); use one of {options}.": "{name} no es un modelo de música "
                                                                                "(model_type '{kind}'); usa uno de "
                                                                                "estos: {options}.",
    "The music model is not installed (nothing at {path}). Train it with: {command}": "El modelo de música no está "
                                                                                      "instalado (no hay nada en "
                                                                                      "{path}). Entrénalo con: "
                                                                                      "{command}",
    "This checkpoint is not a 16th-note four-voice model (it is only for evaluation).":
        "Este checkpoint no es un modelo a cuatro voces en semicorcheas (solo sirve para evaluar).",
    "The model folder '{path}' is missing or has no config.json.": "La carpeta del modelo '{path}' no existe o no "
                                                                   "tiene config.json.",
    "The model folder '{path}' could not be loaded (corrupt or incomplete): {error}":
        "No se pudo cargar la carpeta del modelo '{path}' (dañada o incompleta): {error}",
    "The Hub model '{name}' cannot be downloaded: this machine is offline (no connection to huggingface.co). Keep "
    "using the bundled model.": "No se puede descargar el modelo del Hub '{name}': esta máquina no tiene conexión "
                                "(no llega a huggingface.co). Sigue usando el modelo incluido.",
    "The Hub model '{name}' could not be loaded: {error}": "No se pudo cargar el modelo del Hub '{name}': {error}",
    "Unknown modality '{name}': use one of {options}.": "Modalidad desconocida '{name}': usa una de estas: {options}.",
    # text: learning and uploads
    "Learning from feedback needs a local model folder (the bundled model or a fine-tune).":
        "Aprender de las valoraciones necesita una carpeta de modelo local (el modelo incluido o un ajuste fino).",
    "Learning from votes needs a local model folder (the bundled model or a fine-tune).":
        "Aprender de los votos necesita una carpeta de modelo local (el modelo incluido o un ajuste fino).",
    "Not enough highly rated text yet ({n} characters rated {rating}+ stored; at least {need} are needed). Rate more "
    "outputs first.": "Aún no hay bastante texto bien valorado ({n} caracteres con {rating}+ guardados; hacen falta "
                      "al menos {need}). Valora más resultados primero.",
    "DPO needs at least 2 preference pairs ({n} so far): vote on more comparisons.":
        "DPO necesita al menos 2 pares de preferencias ({n} por ahora): vota en más comparaciones.",
    "The training text is too short: it needs at least 64 characters the model knows.":
        "El texto de entrenamiento es demasiado corto: necesita al menos 64 caracteres que el modelo conozca.",
    "No file was uploaded.": "No se ha subido ningún archivo.",
    "The file is {size} MB; the limit is {limit} MB.": "El archivo ocupa {size} MB; el límite es {limit} MB.",
    "This is not a text file (it contains binary data). Upload a plain .txt file.":
        "No es un archivo de texto (contiene datos binarios). Sube un archivo .txt normal.",
    "The file is not UTF-8 text (bad byte at position {pos}). Save it as UTF-8 and upload it again.":
        "El archivo no es texto UTF-8 (byte erróneo en la posición {pos}). Guárdalo como UTF-8 y vuelve a subirlo.",
    "The file is empty: it needs some text to learn from.": "El archivo está vacío: necesita algo de texto del que "
                                                            "aprender.",
    "Upload a .txt file first.": "Sube primero un archivo .txt.",
    "'{name}' is not a text file: upload a .txt file.": "'{name}' no es un archivo de texto: sube un archivo .txt.",
    # text: prompt notes (playground/text/sampling.py)
    "Empty prompt: generating from the start token.": "Texto inicial vacío: se genera desde el token de inicio.",
    "{n} character(s) the model has never seen were left out: {chars}": "Se han quitado {n} carácter(es) que el "
                                                                         "modelo nunca vio: {chars}",
    "The prompt is {n} tokens, longer than the model can use here; only its last {limit} tokens are read (context "
    "{context}).": "El texto inicial tiene {n} tokens, más de los que el modelo puede usar aquí; solo se leen los "
                   "últimos {limit} (contexto {context}).",
    # reranking and preference
    "Rate at least two images first.": "Valora al menos dos imágenes primero.",
    "All ratings are the same: rate some images higher and some lower first.":
        "Todas las valoraciones son iguales: valora primero unas imágenes más alto y otras más bajo.",
    "No image is rated 4 or 5 yet.": "Aún no hay ninguna imagen valorada con 4 o 5.",
    "The reranker needs ratings that differ: rate some outputs higher and some lower first.":
        "El reordenador necesita valoraciones distintas: valora primero unos resultados más alto y otros más bajo.",
    "The reranker has not been fitted to any ratings yet.": "El reordenador aún no se ha ajustado a ninguna valoración.",
    "Rate at least {n} {what} first ({rated} rated so far), some higher and some lower.":
        "Valora primero al menos {n} resultados ({what}; {rated} valorados por ahora), unos más alto y otros más bajo.",
    "There is no reranker for {modality} outputs; use one of {options}.": "No hay reordenador para resultados de "
                                                                          "{modality}; usa uno de estos: {options}.",
    "Choose between 1 and 16 candidates.": "Elige entre 1 y 16 candidatos.",
    # images
    "Only one image model can be asked for a digit: leave the digit empty to compare them all.":
        "Solo un modelo de imágenes admite pedirle un dígito: deja el dígito vacío para compararlos todos.",
    "The slider values must be numbers, e.g. 1.5, 0, -2.": "Los valores de los deslizadores deben ser números, p. "
                                                           "ej. 1.5, 0, -2.",
    "The slider values must be a list of numbers.": "Los valores de los deslizadores deben ser una lista de números.",
    "There are only {n} sliders.": "Solo hay {n} deslizadores.",
    "Unknown noise schedule '{name}': use cosine or linear.": "Programa de ruido desconocido '{name}': usa cosine o "
                                                              "linear.",
    "Ask for at least one image (a digit 0-9, or None for any digit).": "Pide al menos una imagen (un dígito 0-9, o "
                                                                        "None para cualquiera).",
    "The starting noise must be {n} finite 28x28 images, one per digit.": "El ruido inicial deben ser {n} imágenes "
                                                                          "finitas de 28x28, una por dígito.",
    "Give one seed per image.": "Da una semilla por imagen.",
    "Unknown likelihood '{name}': use one of {options}.": "Verosimilitud desconocida '{name}': usa una de estas: "
                                                          "{options}.",
    "Unknown prior '{name}': use one of {options}.": "Prior desconocido '{name}': usa uno de estos: {options}.",
    "Diffusion-DPO needs at least 2 preference pairs ({n} so far): vote on more comparisons.":
        "Diffusion-DPO necesita al menos 2 pares de preferencias ({n} por ahora): vota en más comparaciones.",
    "Learning from votes (Diffusion-DPO) works on the diffusion model; the GAN and the VAE learn a preference "
    "direction instead ('More like what I liked').":
        "Aprender de los votos (Diffusion-DPO) funciona con el modelo de difusión; la GAN y el VAE aprenden en su "
        "lugar una dirección de preferencia ('Más como lo que me gustó').",
    # playground/music/rl.py, playground/train/music_rl.py: the RL Tuner
    "The RL Tuner needs a chorale model saved in a folder (none was given or found).":
        "El RL Tuner necesita un modelo de corales guardado en una carpeta (no se indicó ninguno o no se encontró).",
    "The RL Tuner fine-tunes the chorale LSTM ({type}); {name} is a {kind}.":
        "El RL Tuner ajusta la LSTM de corales ({type}); {name} es de tipo {kind}.",
    "The RL Tuner fine-tunes a four-voice chorale model on the 16th-note grid; this one only measures likelihoods.":
        "El RL Tuner ajusta un modelo de corales a cuatro voces en la rejilla de semicorcheas; este solo mide "
        "verosimilitudes.",
    "This output's latent has {n} numbers; {name} takes {m}.":
        "El vector latente de este resultado tiene {n} números; {name} usa {m}.",
    "This model is class-conditional: choose a digit.": "Este modelo es condicional: elige un dígito.",
    "This model is unconditional: it cannot be asked for a digit.": "Este modelo es incondicional: no se le puede "
                                                                    "pedir un dígito.",
    "This output has no latent vector.": "Este resultado no tiene vector latente.",
    "Choose 'gan' or 'vae' to watch learning.": "Elige 'gan' o 'vae' para verlo aprender.",
    "A classroom run lasts 1 to {n} seconds.": "Un entrenamiento de clase dura de 1 a {n} segundos.",
    "Another model is training in this app right now (one at a time, so the machine stays quick for everyone): wait "
    "until it finishes, or press its Stop.": "Ahora mismo se está entrenando otro modelo en esta app (uno cada vez, "
                                             "para que la máquina siga rápida para todos): espera a que termine o "
                                             "pulsa su Detener.",
    "Need at least {n} training images for one batch.": "Hacen falta al menos {n} imágenes de entrenamiento para un "
                                                        "lote.",
    "This discriminator has no auxiliary classifier (aux_classes=0).": "Este discriminador no tiene clasificador "
                                                                       "auxiliar (aux_classes=0).",
    "{path} does not hold 28x28 digits with one label each.": "{path} no contiene dígitos de 28x28 con una etiqueta "
                                                              "cada uno.",
    "The MNIST train/test split changed (its hash differs from the recorded one).":
        "La división de MNIST en entrenamiento/prueba ha cambiado (su hash no coincide con el registrado).",
    "Could not read the MNIST digits from {path} ({error}); expected an .npz with 'images' and 'labels' like {example}.":
        "No se pudieron leer los dígitos MNIST de {path} ({error}); se esperaba un .npz con 'images' y 'labels' "
        "como {example}.",
    # music
    "Upload a MIDI file first.": "Sube primero un archivo MIDI.",
    "The MIDI upload could not be found; upload it again.": "No se encuentra el MIDI subido; vuelve a subirlo.",
    "The MIDI file is too large (over 1 MB); upload a short piece.": "El archivo MIDI es demasiado grande (más de "
                                                                     "1 MB); sube una pieza corta.",
    "This file could not be read as MIDI; upload a standard .mid file.": "Este archivo no se pudo leer como MIDI; "
                                                                         "sube un archivo .mid estándar.",
    "The MIDI file has no notes.": "El archivo MIDI no tiene notas.",
    "The MIDI file has too many notes; upload a short piece (under 64 bars).": "El archivo MIDI tiene demasiadas "
                                                                               "notas; sube una pieza corta (menos "
                                                                               "de 64 compases).",
    "The MIDI file is longer than 64 bars; upload a shorter piece.": "El archivo MIDI dura más de 64 compases; sube "
                                                                     "una pieza más corta.",
    "The MIDI file plays several notes at once ({where}); upload a melody (one note at a time) or four tracks for "
    "soprano, alto, tenor and bass.": "El archivo MIDI toca varias notas a la vez ({where}); sube una melodía (una "
                                      "nota cada vez) o cuatro pistas para soprano, contralto, tenor y bajo.",
    "Gibbs sampling needs at least one step.": "El muestreo de Gibbs necesita al menos un paso.",
    "Some notes are outside the model's range ({lo}-{hi}).": "Algunas notas están fuera del registro del modelo "
                                                             "({lo}-{hi}).",
    "Some notes are outside the model's range ({lo} to {hi}).": "Algunas notas están fuera del registro del modelo "
                                                                "({lo} a {hi}).",
    "The melody has only rests: add at least one note.": "La melodía solo tiene silencios: añade al menos una nota.",
    "The melody must stay between MIDI {lo} and {hi} for this model.": "La melodía debe quedarse entre MIDI {lo} y "
                                                                       "{hi} para este modelo.",
    "The score must be a (steps, {n}) grid of pitches.": "La partitura debe ser una cuadrícula (pasos, {n}) de "
                                                         "alturas.",
    "The score must be a non-empty (steps, {n}) grid of pitches.": "La partitura debe ser una cuadrícula no vacía "
                                                                   "(pasos, {n}) de alturas.",
    "Pick a voice 0-{v} and a step 0-{s}.": "Elige una voz 0-{v} y un paso 0-{s}.",
    "{note} in the {what} is outside the {voice} range ({lo} to {hi}); move it by an octave.":
        "{note} en {what} está fuera del registro de {voice} ({lo} a {hi}); muévela una octava.",
    "{note} is outside the soprano range ({lo} to {hi}); move it by an octave.":
        "{note} está fuera del registro de la soprano ({lo} a {hi}); muévela una octava.",
    "No chorale openings are bundled with this model.": "Este modelo no trae comienzos de corales.",
    "Pick a chorale between 1 and {n}.": "Elige un coral entre 1 y {n}.",
    "The melody is {beats} beats long; the harmoniser takes up to {most} beats ({bars} bars). Shorten it.":
        "La melodía dura {beats} tiempos; el armonizador admite hasta {most} tiempos ({bars} compases). Acórtala.",
    "Next-note probabilities come from the Coconet harmoniser; it is not installed.":
        "Las probabilidades de la siguiente nota vienen del armonizador Coconet, que no está instalado.",
    "Pick a beat between 1 and {n}.": "Elige un tiempo entre 1 y {n}.",
    "'{name}' is not a note name; write notes like C4, F#3 or Bb5 (R for a rest).":
        "'{name}' no es un nombre de nota; escribe notas como C4, F#3 o Bb5 (R para un silencio).",
    "'{name}' is outside the MIDI range (C-1 to G9).": "'{name}' está fuera del rango MIDI (C-1 a G9).",
    "The seed is empty: type a few notes such as 'C4 E4 G4 C5'.": "La semilla está vacía: escribe unas notas como "
                                                                  "'C4 E4 G4 C5'.",
    "'{name}' has an unreadable duration; write e.g. C4:2 for two beats.": "'{name}' tiene una duración ilegible; "
                                                                           "escribe p. ej. C4:2 para dos tiempos.",
    "'{name}': a duration must be between 0.25 and 16 beats.": "'{name}': una duración debe estar entre 0.25 y 16 "
                                                               "tiempos.",
    "The melody is too long: keep it under 64 bars.": "La melodía es demasiado larga: que no pase de 64 compases.",
    "The seed has only rests: add at least one note.": "La semilla solo tiene silencios: añade al menos una nota.",
    "There are no notes to find a key from.": "No hay notas de las que sacar una tonalidad.",
    "A voice-leading report needs a (steps, 4) grid, not {shape}.": "Un informe de conducción de voces necesita una "
                                                                    "cuadrícula (pasos, 4), no {shape}.",
    "A frame has {n} notes; the roll format holds at most {most}.": "Un instante tiene {n} notas; el formato de "
                                                                    "rollo admite como mucho {most}.",
    "Cannot find the chorales at {path}; pass the jsb-chorales folder.": "No se encuentran los corales en {path}; "
                                                                         "indica la carpeta jsb-chorales.",
    "Type a first note (for example C5) to start the melody.": "Escribe una primera nota (por ejemplo C5) para "
                                                               "empezar la melodía.",
    "Pick one of the proposed notes, or type one note such as E5 or E5:2.": "Elige una de las notas propuestas o "
                                                                            "escribe una nota como E5 o E5:2.",
    "Only the first note is left: type a different one to start again.": "Solo queda la primera nota: escribe otra "
                                                                         "para empezar de nuevo.",
    "The next-note proposals come from the chorale LSTM (music-bach); it is not installed.":
        "Las propuestas de siguiente nota vienen del LSTM de corales (music-bach), que no está instalado.",
    "There are no proposed notes to pick from yet.": "Aún no hay notas propuestas entre las que elegir.",
    "The note length must be a number of beats, e.g. 1 or 0.5.": "La duración de la nota debe ser un número de "
                                                                 "tiempos, p. ej. 1 o 0.5.",
    "{name} is not a WAV file.": "{name} no es un archivo WAV.",
    # links (playground/links.py)
    "This link could not be read, so the page shows its usual settings.": "No se pudo leer este enlace, así que la "
                                                                          "página muestra sus ajustes habituales.",
    # feedback, votes and the arena
    "Pick a rating from 1 to 5 first.": "Elige primero una valoración del 1 al 5.",
    "The rating must be a whole number from 1 to 5, not {value}.": "La valoración debe ser un número entero del 1 "
                                                                   "al 5, no {value}.",
    "The comment is too long: {n} characters; the limit is {limit}.": "El comentario es demasiado largo: {n} "
                                                                      "caracteres; el límite es {limit}.",
    "The feedback database has schema version {version}, newer than this app understands ({ours}); update the app.":
        "La base de datos de valoraciones tiene la versión de esquema {version}, más nueva de la que entiende esta "
        "app ({ours}); actualiza la app.",
    "The feedback database ({where}) cannot be opened: {reason}. It was left untouched; move it away or point the "
    "app at another store.": "No se puede abrir la base de datos de valoraciones ({where}): {reason}. No se ha "
                             "tocado; muévela a otro sitio o indica a la app otro almacén.",
    "There is nothing to rate yet: generate something first.": "Aún no hay nada que valorar: genera algo primero.",
    "A comparison shows two outputs of the same modality.": "Una comparación muestra dos resultados de la misma "
                                                            "modalidad.",
    "A comparison needs two different model versions.": "Una comparación necesita dos versiones distintas del modelo.",
    "These outputs are too large to store for a comparison.": "Estos resultados son demasiado grandes para guardarlos "
                                                              "en una comparación.",
    "Vote A, B, tie or both bad (got {value}).": "Vota A, B, empate o las dos malas (llegó {value}).",
    "This comparison was never shown to you: press Compare to get a new pair.": "Esta comparación nunca se te mostró: "
                                                                                "pulsa Comparar para tener una "
                                                                                "pareja nueva.",
    "You already voted on this pair: press Compare for a new one.": "Ya votaste en esta pareja: pulsa Comparar para "
                                                                    "tener otra.",
    "At most {n} votes a minute: take a breath and look again.": "Como mucho {n} votos por minuto: respira y vuelve "
                                                                 "a mirar.",
    "A comparison needs two versions of this model: make one with Learn from feedback.":
        "Una comparación necesita dos versiones de este modelo: crea una con Aprender de las valoraciones.",
    "Unknown vote outcome '{value}': use one of {options}.": "Resultado de voto desconocido '{value}': usa uno de "
                                                             "estos: {options}.",
    "A vote compares two different versions.": "Un voto compara dos versiones distintas.",
    "A comparison needs the name of each model version (at most 200 characters).": "Una comparación necesita el "
        "nombre de cada versión del modelo (como mucho 200 caracteres).",
    "No vote names the version '{name}'.": "Ningún voto menciona la versión '{name}'.",
    "Press Compare first to get a pair to vote on.": "Pulsa Comparar primero para tener una pareja que votar.",
    # the voice-leading report (playground/music/voice_leading.py summary_lines)
    "Key: {key}.": "Tonalidad: {key}.",
    "{pct} % of the notes belong to {key} ({per_voice}).": "El {pct} % de las notas pertenece a {key} ({per_voice}).",
    "No parallel fifths or octaves ({n} times two voices moved together).":
        "Ni quintas ni octavas paralelas ({n} veces se movieron dos voces a la vez).",
    "{f} parallel fifths and {o} parallel octaves or unisons, out of {n} times two voices moved together ({pct} %).":
        "{f} quintas paralelas y {o} octavas o unísonos paralelos, de {n} veces que dos voces se movieron a la "
        "vez ({pct} %).",
    "Parallel fifths between the {a} and the {b}: {places}.": "Quintas paralelas entre {a} y {b}: {places}.",
    "Parallel octaves between the {a} and the {b}: {places}.": "Octavas paralelas entre {a} y {b}: {places}.",
    "The {voice} leaves its range ({range}) {n} times: {notes}.":
        "La voz de {voice} sale de su registro ({range}) {n} veces: {notes}.",
    "The {voice} leaves its range ({range}) {n} time: {notes}.":
        "La voz de {voice} sale de su registro ({range}) {n} vez: {notes}.",
    "Every voice stays within its usual range.": "Todas las voces se mantienen en su registro habitual.",
    "No voices cross.": "Ninguna voz se cruza con otra.",
    "The {a} goes above the {b} at {places}.": "La voz de {a} pasa por encima de la de {b} en {places}.",
}

# parts of values inside those sentences: places on the grid and key names
# ("bar 2 beat 3 and 2 more" -> "compás 2 tiempo 3 y 2 más", "C# minor" -> "do sostenido menor")
SOLFEGE = {"C": "do", "D": "re", "E": "mi", "F": "fa", "G": "sol", "A": "la", "B": "si"}
PHRASES: list[tuple[str, str]] = [
    (r"\bbar (\d+) beat ", r"compás \1 tiempo "),
    (r" and (\d+) more\b", r" y \1 más"),
    (r"\balto (\d)", r"contralto \1"), (r"\bbass (\d)", r"bajo \1"),
    (r"\b([A-G])(#|b)? (major|minor)\b", "KEY"),
]

# the nouns the validators put in "{what}" (contract.whole(x, "seed"), ...), and other values
TERMS: dict[str, str] = {
    "seed": "semilla", "temperature": "temperatura", "top-k": "top-k", "top-p": "top-p", "length": "longitud",
    "prompt": "texto inicial", "number of candidates": "número de candidatos", "training time": "tiempo de "
    "entrenamiento", "number of steps": "número de pasos", "guidance scale": "escala de guía",
    "tempo (beats per minute)": "tempo (tiempos por minuto)", "slider value": "valor del deslizador",
    "seed source": "origen de la semilla", "second digit": "segundo dígito", "digit": "dígito",
    "number of sampling steps": "número de pasos de muestreo", "number of frames": "número de fotogramas",
    "number of Gibbs steps": "número de pasos de Gibbs", "notes": "notas", "mode": "modo", "melody": "melodía",
    "length in bars": "longitud en compases", "instrument": "instrumento", "grid size": "tamaño de la cuadrícula",
    "frame step": "paso entre fotogramas", "chorale": "coral", "chorale number": "número de coral",
    "'More like what I liked' strength": "fuerza de «Más como lo que me gustó»",
    "smooth upscaling": "ampliación suave", "sampler": "muestreador",
    "smooth": "suavizado", "key lock": "fijar la tonalidad", "rating": "valoración", "comment": "comentario",
    "steps": "pasos", "bars": "compases", "tempo": "tempo", "note length": "duración de la nota",
    "images": "imágenes", "texts": "textos", "text": "texto", "image": "imagen", "music": "música",
    "soprano": "soprano", "alto": "contralto", "tenor": "tenor", "bass": "bajo", "melody's key": "tonalidad",
}

# messages that never reach a page (command-line tools, training configs, a parser's internal
# reasons that playground/links.py turns into its own notice): no Spanish needed
INTERNAL = {
    "playground/links.py", "playground/generate.py", "playground/music/harmony_eval.py",
    "playground/train/loop.py", "playground/music/data.py:fmt", "playground/music/data.py:split",
    "playground/images/gan.py:n_codes", "playground/images/mnist.py:Unknown split",
}
